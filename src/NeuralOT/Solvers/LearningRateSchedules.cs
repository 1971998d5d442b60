namespace NeuralOT.Solvers;

/// <summary>The multiplier a <see cref="LearningRateSchedule"/> applies to the initial learning rate, shared by both phases.</summary>
internal static class LearningRateSchedules
{
    /// <summary>The factor for 1-based <paramref name="iteration"/> of <paramref name="total"/>: cosine decay from 1
    /// towards 0, or 1 throughout.</summary>
    public static double Factor(this LearningRateSchedule schedule, int iteration, int total) =>
        schedule == LearningRateSchedule.Cosine
            ? 0.5 * (1 + Math.Cos(Math.PI * (iteration - 1) / total))
            : 1.0;
}
