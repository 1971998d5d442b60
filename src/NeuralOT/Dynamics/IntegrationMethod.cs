namespace NeuralOT.Dynamics;

/// <summary>Fixed-step explicit Runge-Kutta schemes for dX/dt = v(X, t).</summary>
public enum IntegrationMethod
{
    /// <summary>Forward Euler: one field evaluation per step, global error O(h).</summary>
    Euler,
    /// <summary>Explicit midpoint: two evaluations per step, global error O(h^2).</summary>
    Midpoint,
    /// <summary>Classical fourth-order Runge-Kutta: four evaluations per step, global error O(h^4). The default.</summary>
    RK4,
}

/// <summary>Parsing and properties of <see cref="IntegrationMethod"/>.</summary>
public static class IntegrationMethods
{
    /// <summary>The config names, lower case.</summary>
    public static IReadOnlyList<string> Names { get; } = Enum.GetNames<IntegrationMethod>().Select(n => n.ToLowerInvariant()).ToArray();

    /// <summary>Parses a config name such as <c>rk4</c> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">The name is unknown (the message lists the known ones).</exception>
    public static IntegrationMethod Parse(string name) =>
        Enum.TryParse<IntegrationMethod>(name, ignoreCase: true, out var method) && Enum.IsDefined(method)
            ? method
            : throw new ArgumentException($"Unknown integrator \"{name}\"; use one of {string.Join(", ", Names)}.", nameof(name));

    /// <summary>The order p of the global error O(h^p).</summary>
    public static int Order(this IntegrationMethod method) => method switch
    {
        IntegrationMethod.Euler => 1,
        IntegrationMethod.Midpoint => 2,
        IntegrationMethod.RK4 => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown integration method."),
    };
}
