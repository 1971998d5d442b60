using System.Runtime.CompilerServices;

// The tests exercise internal numerical helpers (e.g. the fallback paths of the symmetric square root) directly.
[assembly: InternalsVisibleTo("NeuralOT.Tests")]
