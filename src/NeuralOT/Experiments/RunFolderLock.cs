namespace NeuralOT.Experiments;

/// <summary>
/// Ownership of a run folder by one process: <c>run</c>, <c>resume</c> and <c>figures</c> hold it while they write
/// the folder, so two of them can never mix their files. It is the file <see cref="FileName"/> in the folder, opened
/// exclusively (an OS lock on the open file, <c>flock</c> on Linux and macOS): the OS releases it when the process
/// ends in any way, kill -9 included, so a crash never leaves a folder locked. The file itself stays (deleting it
/// would let a third process lock a new file while a second still holds the old one).
/// </summary>
public sealed class RunFolderLock : IDisposable
{
    /// <summary>The lock file's name in a run folder.</summary>
    public const string FileName = ".neuralot.lock";

    private readonly FileStream stream;

    private RunFolderLock(FileStream stream) => this.stream = stream;

    /// <summary>Creates <paramref name="directory"/> if needed and takes its lock.</summary>
    /// <exception cref="RunFolderException">Another process holds the folder.</exception>
    public static RunFolderLock Acquire(string directory)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        try
        {
            return new RunFolderLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException) when (File.Exists(path))
        {
            throw new RunFolderException(RunFolderProblem.InUse, directory,
                $"The run folder {directory} is in use by another neuralot process (a run, resume or figures holds {FileName})", "wait for it to end or write into another folder");
        }
    }

    /// <summary>Releases the folder.</summary>
    public void Dispose() => stream.Dispose();
}
