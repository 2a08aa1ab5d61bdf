namespace SingleCell.Models.Tensors;

/// <summary>
/// One recorded operation: its inputs and the rule that turns the gradient of its output into
/// gradients of its inputs. Created in forward order; released by the backward pass.
/// </summary>
internal sealed class Node
{
    internal Node(string op, Tensor[] inputs, Action<Tensor> backward)
    {
        Op = op;
        Inputs = inputs;
        BackwardRule = backward;
    }

    internal string Op { get; }

    internal Tensor[]? Inputs { get; private set; }

    /// <summary>Receives the gradient of the output; calls <c>Tensor.AccumulateGradient</c> on inputs.</summary>
    internal Action<Tensor>? BackwardRule { get; private set; }

    internal void Release() { Inputs = null; BackwardRule = null; }
}

public sealed partial class Tensor
{
    [ThreadStatic] private static int t_noGradDepth;
    [ThreadStatic] private static float[]? t_outputGradient;

    /// <summary>Whether operations on this thread are recorded for autodiff now.</summary>
    public static bool IsGradEnabled => t_noGradDepth == 0;

    /// <summary>
    /// Turns gradient recording off on this thread until the returned scope is disposed
    /// (<c>using (Tensor.NoGrad()) { ... }</c>), as <c>torch.no_grad()</c>. Scopes nest.
    /// </summary>
    public static NoGradScope NoGrad() { t_noGradDepth++; return new NoGradScope(); }

    /// <summary>The scope returned by <see cref="NoGrad"/>; disposing it restores recording.</summary>
    public readonly struct NoGradScope : IDisposable
    {
        /// <summary>Ends the scope.</summary>
        public void Dispose() { if (t_noGradDepth > 0) t_noGradDepth--; }
    }

    /// <summary>Whether a result computed from these inputs must be recorded.</summary>
    internal static bool NeedsGrad(Tensor a) => t_noGradDepth == 0 && a._requiresGrad;

    internal static bool NeedsGrad(Tensor a, Tensor b) => t_noGradDepth == 0 && (a._requiresGrad || b._requiresGrad);

    internal static bool NeedsGrad(ReadOnlySpan<Tensor> inputs)
    {
        if (t_noGradDepth != 0) return false;
        foreach (var t in inputs) if (t._requiresGrad) return true;
        return false;
    }

    /// <summary>Attaches a recorded operation to a freshly computed result.</summary>
    internal static Tensor Record(Tensor result, string op, Tensor[] inputs, Action<Tensor> backward)
    {
        foreach (var input in inputs) input._pendingConsumers++;
        result._node = new Node(op, inputs, backward);
        result._requiresGrad = true;
        return result;
    }

    /// <summary>
    /// Adds <paramref name="gradient"/> (shaped <paramref name="gradShape"/>, which must broadcast to
    /// this tensor's shape) to this tensor's gradient, summing over broadcast dimensions.
    /// </summary>
    /// <param name="gradient">Gradient values; may be adopted without a copy when <paramref name="owned"/>.</param>
    /// <param name="gradShape">Shape of <paramref name="gradient"/>.</param>
    /// <param name="owned">The caller hands the buffer over and will not touch it again.</param>
    internal void AccumulateGradient(float[] gradient, TensorShape gradShape, bool owned)
    {
        if (!_requiresGrad) return;
        // The output gradient being propagated is recycled after its rule runs: never adopt it.
        if (ReferenceEquals(gradient, t_outputGradient)) owned = false;
        if (gradShape != Shape)
        {
            gradient = Kernels.Broadcasting.SumToShape(gradient, gradShape, Shape);
            owned = true;
        }
        if (_node == null)
        {
            // Leaf: accumulate into Grad.
            if (Grad == null) Grad = new Tensor(owned ? gradient : gradient.AsSpan(0, Size).ToArray(), Shape);
            else Kernels.Elementwise.AddInPlace(Grad.Span, gradient.AsSpan(0, Size));
        }
        else if (_pendingGrad == null)
        {
            _pendingGrad = owned ? gradient : gradient.AsSpan(0, Size).ToArray();
        }
        else
        {
            Kernels.Elementwise.AddInPlace(_pendingGrad.AsSpan(0, Size), gradient.AsSpan(0, Size));
        }
    }

    /// <summary>Same-shape convenience overload of <see cref="AccumulateGradient(float[], TensorShape, bool)"/>.</summary>
    internal void AccumulateGradient(float[] gradient, bool owned = true) => AccumulateGradient(gradient, Shape, owned);

    /// <summary>
    /// Computes the gradient of this tensor with respect to every leaf that requires one, adding it to
    /// the leaves' <see cref="Grad"/>. The graph is freed afterwards: a second call on the same graph throws.
    /// </summary>
    /// <param name="gradient">The gradient of some objective with respect to this tensor; may be
    /// omitted for a one-element tensor (taken as 1).</param>
    /// <exception cref="InvalidOperationException">The tensor does not require a gradient, a non-scalar has
    /// no explicit gradient, or the graph was already freed by an earlier backward pass.</exception>
    public void Backward(Tensor? gradient = null)
    {
        if (!_requiresGrad)
            throw new InvalidOperationException("Backward: this tensor does not require a gradient (no input had RequiresGrad set, or it was computed under NoGrad).");
        float[] seed;
        if (gradient == null)
        {
            if (Size != 1) throw new InvalidOperationException($"Backward: a gradient must be given for a non-scalar output of shape {Shape}.");
            seed = [1f];
        }
        else
        {
            if (gradient.Shape != Shape) throw new ArgumentException($"Backward: gradient shape {gradient.Shape} differs from output shape {Shape}.", nameof(gradient));
            seed = gradient.ToArray();
        }
        if (_node == null) { AccumulateGradient(seed, owned: true); return; }
        if (_node.BackwardRule == null)
            throw new InvalidOperationException($"Backward: the graph through '{_node.Op}' was already freed by an earlier Backward call; recompute the forward pass.");

        var order = TopologicalOrder(this);
        _pendingGrad = seed;
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var t = order[i];
            var node = t._node!;
            var g = t._pendingGrad;
            t._pendingGrad = null;
            if (g != null && node.BackwardRule != null)
            {
                t_outputGradient = g;
                try
                {
                    using (NoGrad()) node.BackwardRule(new Tensor(g, t.Shape));
                }
                finally { t_outputGradient = null; }
                // AccumulateGradient copies the output gradient whenever it keeps it, so it is dead now.
                if (!ReferenceEquals(g, seed)) Kernels.BufferPool.Return(g);
            }
            ReleaseTapeOwned(t, node);
            node.Release();
        }
    }

    /// <summary>
    /// After <paramref name="t"/>'s node has run: every input of the node has one consumer fewer; a
    /// tape-owned tensor whose consumers have all run (and whose own node, if it has one, has run —
    /// in reverse topological order it runs after its consumers) is dead, and its buffer goes back to
    /// the pool. Consumers outside this graph keep the count above zero: such a tensor is never reused.
    /// </summary>
    private static void ReleaseTapeOwned(Tensor t, Node node)
    {
        var inputs = node.Inputs;
        if (inputs != null)
        {
            foreach (var u in inputs)
            {
                u._pendingConsumers--;
                if (u._tapeOwned && u._pendingConsumers == 0 && u._node == null) ReturnTapeOwned(u);
            }
        }
        if (t._tapeOwned && t._pendingConsumers == 0) ReturnTapeOwned(t);
    }

    private static void ReturnTapeOwned(Tensor t)
    {
        t._tapeOwned = false;
        Kernels.BufferPool.Return(t._data);
    }

    /// <summary>
    /// Hands this tensor's buffer to the tape: the caller promises that nothing outside the recorded graph
    /// holds this tensor or a view of its buffer, so the buffer returns to the pool once the backward pass
    /// has run every recorded operation that reads it. For library code only (module internals whose
    /// intermediates are never returned to a user); a tensor whose consumers are not all backwarded is simply
    /// garbage-collected.
    /// </summary>
    internal void MarkTapeOwned() => _tapeOwned = true;

    /// <summary>
    /// Called by library code on an intermediate it created and will not touch again (nor has let escape,
    /// even as a view): recorded (an output or an input of a recorded operation) → <see cref="MarkTapeOwned"/>;
    /// otherwise nothing can read it any more and its buffer goes back to the pool now.
    /// </summary>
    internal void ReleaseIntermediate()
    {
        if (_node != null || _pendingConsumers > 0) _tapeOwned = true;
        else Kernels.BufferPool.Return(_data);
    }

    /// <summary>Non-leaf tensors reachable from <paramref name="root"/>, inputs before outputs (iterative DFS).</summary>
    private static List<Tensor> TopologicalOrder(Tensor root)
    {
        var order = new List<Tensor>();
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor Tensor, int Next)>();
        stack.Push((root, 0));
        visited.Add(root);
        while (stack.Count > 0)
        {
            var (t, next) = stack.Pop();
            var inputs = t._node?.Inputs;
            if (inputs != null && next < inputs.Length)
            {
                stack.Push((t, next + 1));
                var child = inputs[next];
                if (child._node != null && child._node.BackwardRule == null)
                    throw new InvalidOperationException(
                        $"Backward: '{t._node!.Op}' uses the output of '{child._node.Op}', whose graph was already freed by an earlier Backward call; recompute the forward pass (its gradient would otherwise be lost).");
                if (child._node != null && visited.Add(child)) stack.Push((child, 0));
                continue;
            }
            order.Add(t);
        }
        return order;
    }
}
