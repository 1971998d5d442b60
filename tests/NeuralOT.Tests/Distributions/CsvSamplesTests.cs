using NeuralOT.Distributions;

namespace NeuralOT.Tests.Distributions;

public sealed class CsvSamplesTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("neuralot-csv-");

    public void Dispose() => _directory.Delete(recursive: true);

    private string Write(string content)
    {
        var path = Path.Combine(_directory.FullName, $"{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void ReadsRowsAsSamplesInTheInvariantCulture()
    {
        var samples = CsvSamples.Read(Write("1.5,-2\n3e-2,4\n"));
        Assert.Equal(new double[,] { { 1.5, -2 }, { 0.03, 4 } }, samples);
    }

    [Fact]
    public void SkipsAHeaderAndBlankLines()
    {
        var samples = CsvSamples.Read(Write("x,y\n\n1,2\n3,4\n\n"));
        Assert.Equal(new double[,] { { 1, 2 }, { 3, 4 } }, samples);
    }

    [Fact]
    public void AcceptsWindowsLineEndingsAndSpaces()
    {
        var samples = CsvSamples.Read(Write("a, b\r\n 1, 2\r\n3 ,4\r\n"));
        Assert.Equal(new double[,] { { 1, 2 }, { 3, 4 } }, samples);
    }

    [Fact]
    public void ARaggedRowIsNamedWithTheExpectedColumnCount()
    {
        var path = Write("x,y\n1,2\n3,4,5\n");
        var error = Assert.Throws<InvalidDataException>(() => CsvSamples.Read(path));
        Assert.Contains("row 3", error.Message);
        Assert.Contains("3 columns, expected 2", error.Message);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    public void NonFiniteValuesAreNamedByRowAndColumn(string value)
    {
        var path = Write($"1,2\n3,{value}\n");
        var error = Assert.Throws<InvalidDataException>(() => CsvSamples.Read(path));
        Assert.Contains("row 2, column 2", error.Message);
        Assert.Contains("finite", error.Message);
    }

    [Fact]
    public void TextAfterTheFirstRowIsNamedByRowAndColumn()
    {
        var path = Write("1,2\n3,abc\n");
        var error = Assert.Throws<InvalidDataException>(() => CsvSamples.Read(path));
        Assert.Contains("row 2, column 2", error.Message);
        Assert.Contains("abc", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    [InlineData("x,y\n")]
    public void AFileWithoutSamplesIsRejected(string content)
    {
        var path = Write(content);
        var error = Assert.Throws<InvalidDataException>(() => CsvSamples.Read(path));
        Assert.Contains("no samples", error.Message);
    }

    [Fact]
    public void AMissingFileIsNamed()
    {
        var path = Path.Combine(_directory.FullName, "missing.csv");
        var error = Assert.Throws<ArgumentException>(() => CsvSamples.Read(path));
        Assert.Equal("path", error.ParamName);
        Assert.Contains("missing.csv", error.Message);
    }

    [Fact]
    public void MessagesAreOneLine()
    {
        var error = Assert.Throws<InvalidDataException>(() => CsvSamples.Read(Write("1,2\n3\n")));
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void ChunksHoldTheRowsInOrderAndARaggedRowIsNamedWhenReached()
    {
        var chunks = CsvSamples.ReadChunks(Write("a,b\n1,2\n3,4\n\n5,6\n7,8\n9,10\n"), 2).ToList();
        Assert.Equal([2, 2, 1], chunks.Select(c => c.GetLength(0)));
        Assert.Equal(new double[,] { { 9, 10 } }, chunks[2]);
        Assert.Equal(new double[,] { { 1, 2 }, { 3, 4 }, { 5, 6 }, { 7, 8 }, { 9, 10 } }, CsvSamples.Read(Write("1,2\n3,4\n5,6\n7,8\n9,10\n")));

        using var rows = CsvSamples.ReadChunks(Write("1,2\n3,4\n5\n"), 2).GetEnumerator();
        Assert.True(rows.MoveNext());
        var error = Assert.Throws<InvalidDataException>(() => rows.MoveNext());
        Assert.Contains("row 3", error.Message);
    }

    [Fact]
    public void TheHeaderIsReadWithItsNamesTrimmedAndNullWithoutOne()
    {
        Assert.Equal(["lon", "lat"], CsvSamples.ReadHeader(Write("lon, lat\n1,2\n"))!);
        Assert.Null(CsvSamples.ReadHeader(Write("\n1,2\n")));
        Assert.Throws<InvalidDataException>(() => CsvSamples.ReadHeader(Write("x,y\n")));
    }

    [Fact]
    public void WrittenRowsReadBackExactly()
    {
        var values = new[] { 0.1, -1e-300, Math.PI, 12345678.9, double.Epsilon, -0.0 };
        var text = new StringWriter();
        CsvSamples.WriteHeader(text, CsvSamples.DefaultColumnNames(3));
        CsvSamples.WriteRows(text, values, 3);
        Assert.StartsWith("x1,x2,x3\n0.1,", text.ToString());
        Assert.Equal(values, CsvSamples.Read(Write(text.ToString())).Cast<double>());
        Assert.Throws<ArgumentException>(() => CsvSamples.WriteRows(text, values, 4));
    }
}
