using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Networks.Kernels;

/// <summary>A float array on the pinned heap (it never moves), so the kernels can hold a pointer to it.</summary>
internal sealed unsafe class PinnedBuffer
{
    private float[] values = [];

    public PinnedBuffer(int length) => Resize(length);

    public float* Pointer { get; private set; }

    /// <summary>Makes room for at least <paramref name="length"/> values (new values are zero; old ones are kept
    /// only when nothing is reallocated).</summary>
    public void EnsureLength(int length)
    {
        if (length > values.Length) Resize(Math.Max(length, values.Length * 2));
    }

    public Span<float> Span => values;

    public void Clear() => Array.Clear(values);

    private void Resize(int length)
    {
        values = GC.AllocateArray<float>(Math.Max(length, 1), pinned: true);
        Pointer = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(values));
    }
}

/// <summary>Pointers into TorchSharp tensors' storage, which libtorch keeps in place while the tensor lives.</summary>
internal static unsafe class TensorMemory
{
    /// <summary>The first float32 element of a contiguous CPU tensor.</summary>
    public static float* Floats(Tensor tensor)
    {
        if (tensor.dtype != ScalarType.Float32 || tensor.device_type != DeviceType.CPU || !tensor.is_contiguous())
            throw new ArgumentException($"The kernels read contiguous float32 CPU tensors (got {tensor.dtype} on {tensor.device_type}).", nameof(tensor));
        return (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(tensor.bytes));
    }
}
