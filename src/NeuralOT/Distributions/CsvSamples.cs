using System.Globalization;

namespace NeuralOT.Distributions;

/// <summary>
/// Reads point sets from CSV files: one sample per row, comma-separated numbers in the invariant culture
/// (a dot as decimal separator). A first row that does not parse as numbers is taken as a header and skipped.
/// Blank lines are ignored. This is the single place where sample CSV files are parsed.
/// </summary>
public static class CsvSamples
{
    /// <summary>The longest row accepted, in characters: about 50,000 coordinates, far above MNIST's 784. A longer
    /// "row" is a file that is not a sample CSV (/dev/zero has one endless row), refused before it fills memory.</summary>
    public const int MaxLineLength = 1 << 20;

    /// <summary>Reads the samples of <paramref name="path"/> as an n x d array.</summary>
    /// <param name="path">The CSV file to read.</param>
    /// <returns>The samples, one per row.</returns>
    /// <exception cref="ArgumentException">The path is empty, or the file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file has no samples, has rows of different lengths, or holds a
    /// value that is not a finite number; the message names the row (1-based, counting the header) and column.</exception>
    public static double[,] Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Trim().Length == 0)
            throw new ArgumentException("The CSV path is empty; pass the path of a file with one sample per row.", nameof(path));
        if (Directory.Exists(path))
            throw new ArgumentException($"The CSV path \"{path}\" is a directory, not a file; pass the CSV file inside it.", nameof(path));
        if (!File.Exists(path))
            throw new ArgumentException($"The CSV file \"{path}\" does not exist; check the path.", nameof(path));

        var rows = new List<double[]>();
        int expectedColumns = -1;
        int lineNumber = 0;
        foreach (var line in ReadLines(path))
        {
            lineNumber++;
            if (line.Trim().Length == 0) continue;
            var fields = line.Split(',');
            bool isFirstContentRow = rows.Count == 0 && expectedColumns < 0;
            if (isFirstContentRow && !TryParseRow(fields, out _))
            {
                // A header: it fixes the expected column count but holds no sample.
                expectedColumns = fields.Length;
                continue;
            }
            if (expectedColumns >= 0 && fields.Length != expectedColumns)
                throw new InvalidDataException(
                    $"{path}: row {lineNumber} has {fields.Length} columns, expected {expectedColumns} like the first row; make every row the same length.");
            expectedColumns = fields.Length;
            rows.Add(ParseRow(path, fields, lineNumber));
        }

        if (rows.Count == 0)
            throw new InvalidDataException($"{path}: the file holds no samples; write one sample per row, comma-separated.");

        var samples = new double[rows.Count, expectedColumns];
        for (int i = 0; i < rows.Count; i++)
            for (int j = 0; j < expectedColumns; j++)
                samples[i, j] = rows[i][j];
        return samples;
    }

    /// <summary>The file's lines, refusing one longer than <see cref="MaxLineLength"/> as soon as it gets there.</summary>
    private static IEnumerable<string> ReadLines(string path)
    {
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        var line = new System.Text.StringBuilder();
        var buffer = new char[65536];
        var lineNumber = 1;
        int read;
        while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                var c = buffer[i];
                if (c == '\n')
                {
                    yield return line.ToString().TrimEnd('\r');
                    line.Clear();
                    lineNumber++;
                    continue;
                }
                line.Append(c);
                if (line.Length > MaxLineLength)
                    throw new InvalidDataException(
                        $"{path}: row {lineNumber} is longer than {MaxLineLength} characters; this is not a CSV of samples (one sample per row, comma-separated numbers).");
            }
        }
        if (line.Length > 0) yield return line.ToString().TrimEnd('\r');
    }

    private static bool TryParseRow(string[] fields, out double[] values)
    {
        values = new double[fields.Length];
        for (int j = 0; j < fields.Length; j++)
            if (!double.TryParse(fields[j], NumberStyles.Float, CultureInfo.InvariantCulture, out values[j]))
                return false;
        return true;
    }

    private static double[] ParseRow(string path, string[] fields, int lineNumber)
    {
        var values = new double[fields.Length];
        for (int j = 0; j < fields.Length; j++)
        {
            if (!double.TryParse(fields[j], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                throw new InvalidDataException(
                    $"{path}: row {lineNumber}, column {j + 1}: \"{fields[j].Trim()}\" is not a number; use invariant-culture numbers such as 1.5e-3.");
            if (!double.IsFinite(value))
                throw new InvalidDataException(
                    $"{path}: row {lineNumber}, column {j + 1} is {fields[j].Trim()}; every coordinate must be a finite number.");
            values[j] = value;
        }
        return values;
    }
}
