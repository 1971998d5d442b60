using System.Globalization;

namespace NeuralOT.Distributions;

/// <summary>
/// Reads point sets from CSV files: one sample per row, comma-separated numbers in the invariant culture
/// (a dot as decimal separator). A first row that does not parse as numbers is taken as a header and skipped.
/// Blank lines are ignored. This is the single place where sample CSV files are parsed and written.
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
    public static double[,] Read(string path) => ReadChunks(path, int.MaxValue).Single();

    /// <summary>
    /// Reads the samples of <paramref name="path"/> in chunks of at most <paramref name="rowsPerChunk"/> rows, as
    /// the enumeration proceeds: memory stays flat however long the file is. Every chunk has the same number of
    /// columns; the checks and messages are those of <see cref="Read"/>, raised when the enumeration reaches the row.
    /// </summary>
    /// <param name="path">The CSV file to read.</param>
    /// <param name="rowsPerChunk">The most rows in one chunk (at least 1); the last chunk may hold fewer.</param>
    /// <returns>The chunks, each an n x d array; at least one.</returns>
    /// <exception cref="ArgumentException">The path is empty, or the file does not exist (when enumerated).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rowsPerChunk"/> is below 1.</exception>
    /// <exception cref="InvalidDataException">See <see cref="Read"/>.</exception>
    public static IEnumerable<double[,]> ReadChunks(string path, int rowsPerChunk)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rowsPerChunk, 1);
        return Chunks(path, rowsPerChunk);
    }

    /// <summary>The column names of the file's header row, or null when its first row holds numbers (a file without
    /// a header). Reads only up to the first row of samples.</summary>
    /// <param name="path">The CSV file.</param>
    /// <exception cref="ArgumentException">The path is empty, or the file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file has no samples, or its first row of samples is invalid.</exception>
    public static string[]? ReadHeader(string path)
    {
        string[]? header = null;
        using var rows = Rows(path, names => header = names).GetEnumerator();
        rows.MoveNext();
        return header;
    }

    /// <summary>The column names <c>x1,...,xd</c> that written samples carry when they have no names of their own: 1-based, as the figures and <c>--projection coords:i,j</c> count coordinates.</summary>
    /// <param name="dimension">The number of columns d.</param>
    public static string[] DefaultColumnNames(int dimension) =>
        Enumerable.Range(0, dimension).Select(k => string.Create(CultureInfo.InvariantCulture, $"x{k + 1}")).ToArray();

    /// <summary>Writes one header row of column names.</summary>
    /// <param name="writer">Where the CSV goes.</param>
    /// <param name="columns">The column names (without commas).</param>
    public static void WriteHeader(TextWriter writer, IEnumerable<string> columns)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(string.Join(',', columns));
        writer.Write('\n');
    }

    /// <summary>Writes samples as rows of comma-separated numbers in the invariant culture, each value in its
    /// shortest form that reads back to the same double (so a written file reads back exactly).</summary>
    /// <param name="writer">Where the CSV goes.</param>
    /// <param name="values">The samples, row after row (n d values).</param>
    /// <param name="columns">The number of columns d.</param>
    public static void WriteRows(TextWriter writer, ReadOnlySpan<double> values, int columns)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        if (values.Length % columns != 0)
            throw new ArgumentException($"{values.Length} values do not make rows of {columns} columns.", nameof(values));
        for (var index = 0; index < values.Length; index++)
        {
            writer.Write(values[index].ToString("R", CultureInfo.InvariantCulture));
            writer.Write((index + 1) % columns == 0 ? '\n' : ',');
        }
    }

    private static IEnumerable<double[,]> Chunks(string path, int rowsPerChunk)
    {
        var rows = new List<double[]>();
        foreach (var row in Rows(path, null))
        {
            rows.Add(row);
            if (rows.Count < rowsPerChunk) continue;
            yield return ToArray(rows);
            rows.Clear();
        }
        // Rows has thrown by now if the file held no samples, so at least one chunk was or is returned.
        if (rows.Count > 0) yield return ToArray(rows);
    }

    private static double[,] ToArray(List<double[]> rows)
    {
        var samples = new double[rows.Count, rows[0].Length];
        for (int i = 0; i < rows.Count; i++)
            for (int j = 0; j < rows[i].Length; j++)
                samples[i, j] = rows[i][j];
        return samples;
    }

    /// <summary>The rows of samples of the file, checked; <paramref name="onHeader"/> gets the header's fields when the
    /// first row is one. Throws "no samples" at the end of a file without a row of samples.</summary>
    private static IEnumerable<double[]> Rows(string path, Action<string[]>? onHeader)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Trim().Length == 0)
            throw new ArgumentException("The CSV path is empty; pass the path of a file with one sample per row.", nameof(path));
        if (Directory.Exists(path))
            throw new ArgumentException($"The CSV path \"{path}\" is a directory, not a file; pass the CSV file inside it.", nameof(path));
        if (!File.Exists(path))
            throw new ArgumentException($"The CSV file \"{path}\" does not exist; check the path.", nameof(path));

        var count = 0;
        int expectedColumns = -1;
        int lineNumber = 0;
        foreach (var line in ReadLines(path))
        {
            lineNumber++;
            if (line.Trim().Length == 0) continue;
            var fields = line.Split(',');
            bool isFirstContentRow = count == 0 && expectedColumns < 0;
            if (isFirstContentRow && !TryParseRow(fields, out _))
            {
                // A header: it fixes the expected column count but holds no sample.
                expectedColumns = fields.Length;
                onHeader?.Invoke(fields.Select(f => f.Trim()).ToArray());
                continue;
            }
            if (expectedColumns >= 0 && fields.Length != expectedColumns)
                throw new InvalidDataException(
                    $"{path}: row {lineNumber} has {fields.Length} columns, expected {expectedColumns} like the first row; make every row the same length.");
            expectedColumns = fields.Length;
            count++;
            yield return ParseRow(path, fields, lineNumber);
        }

        if (count == 0)
            throw new InvalidDataException($"{path}: the file holds no samples; write one sample per row, comma-separated.");
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
