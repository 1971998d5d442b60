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
}
