namespace NeuralOT.Tests;

/// <summary>
/// The test categories, as xUnit traits: <c>[Trait(TestCategory.Name, TestCategory.Slow)]</c>. The README's
/// <c>dotnet test NeuralOT.Notebooks.sln</c> leaves the slow category out (unit.runsettings); .ci/run runs it after.
/// </summary>
internal static class TestCategory
{
    /// <summary>The trait name that test filters select on (<c>Category=Slow</c>).</summary>
    public const string Name = "Category";

    /// <summary>Whole-notebook runs, whole CLI runs of every experiment, and accuracy checks that train for hundreds
    /// of iterations: real checks that CI runs in full, too long for the unit suite's five minutes.</summary>
    public const string Slow = "Slow";
}
