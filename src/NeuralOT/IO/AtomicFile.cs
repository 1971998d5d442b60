using System.Text;
using System.Text.RegularExpressions;

namespace NeuralOT.IO;

/// <summary>
/// Whole-file writes that never leave a half-written file under the final name, nor a temporary file behind when they
/// fail: the bytes go to <c>&lt;name&gt;.&lt;8 hex&gt;.tmp</c> beside the target, which is renamed over it, and deleted
/// if anything fails (a full disk, a folder in the way). Only kill -9 mid-write can leave one; a new run clears those
/// (<see cref="DeleteLeftovers"/>).
/// </summary>
public static partial class AtomicFile
{
    /// <summary>Writes <paramref name="contents"/> as UTF-8 to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, string contents) => Write(path, Encoding.UTF8.GetBytes(contents));

    /// <summary>Writes <paramref name="contents"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, byte[] contents) => Write(path, stream => stream.Write(contents));

    /// <summary>Writes what <paramref name="write"/> puts into the stream it is given to <paramref name="path"/>
    /// atomically.</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="write">Writes the whole contents into the stream (which it must not dispose).</param>
    /// <param name="flushToDisk">Flush the bytes to the disk before the rename, so that a power cut cannot leave the
    /// final name pointing at a file whose data never reached the disk (checkpoints, which a run resumes from).</param>
    public static void Write(string path, Action<Stream> write, bool flushToDisk = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(write);
        var temporary = path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                write(file);
                file.Flush(flushToDisk);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            // After a successful move the temporary name is gone; otherwise it holds a partial copy that helps no one.
            try
            {
                File.Delete(temporary);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // Leave it: the original failure is the one to report.
            }
        }
    }

    /// <summary>Whether <paramref name="fileName"/> is a temporary file of this class (<c>x.1a2b3c4d.tmp</c>), or of a
    /// checkpoint write of an earlier version (<c>.x.&lt;32 hex&gt;.partial</c>), which a folder may still hold.</summary>
    public static bool IsLeftover(string fileName) => LeftoverName().IsMatch(fileName);

    /// <summary>Deletes the leftovers of writes that a killed process never finished in <paramref name="directory"/>;
    /// only for a folder this process owns (<see cref="Experiments.RunFolderLock"/>), where no write of another
    /// process can be under way.</summary>
    /// <returns>How many files were deleted.</returns>
    public static int DeleteLeftovers(string directory)
    {
        if (!Directory.Exists(directory)) return 0;
        var leftovers = Directory.EnumerateFiles(directory).Where(f => IsLeftover(Path.GetFileName(f))).ToList();
        foreach (var file in leftovers) File.Delete(file);
        return leftovers.Count;
    }

    [GeneratedRegex(@"^(.+\.[0-9a-f]{8}\.tmp|\..+\.[0-9a-f]{32}\.partial)$")]
    private static partial Regex LeftoverName();
}
