namespace EventCore.Transport.Epoll;

/// <summary>
/// Maps the 64-bit epoll data of an event back to its handler: the low half is a slot index, the high half
/// the slot's generation, so an event harvested for a handler that was unregistered (and its slot reused)
/// within the same epoll_wait batch is recognised as stale and dropped. Loop thread only.
/// </summary>
internal sealed class EpollRegistry
{
    private IEpollHandler?[] _handlers = new IEpollHandler?[64];
    private uint[] _generations = new uint[64];
    private readonly Stack<int> _free = new();
    private int _used;

    public int Count { get; private set; }

    public ulong Add(IEpollHandler handler)
    {
        if (!_free.TryPop(out int index))
        {
            if (_used == _handlers.Length)
            {
                Array.Resize(ref _handlers, _handlers.Length * 2);
                Array.Resize(ref _generations, _generations.Length * 2);
            }
            index = _used++;
        }
        _handlers[index] = handler;
        Count++;
        return ((ulong)_generations[index] << 32) | (uint)index;
    }

    public void Remove(ulong token)
    {
        int index = (int)(uint)token;
        if (TryGet(token, out _))
        {
            _handlers[index] = null;
            _generations[index]++;
            _free.Push(index);
            Count--;
        }
    }

    public bool TryGet(ulong token, out IEpollHandler handler)
    {
        int index = (int)(uint)token;
        handler = null!;
        if ((uint)index >= (uint)_used || _generations[index] != (uint)(token >> 32) || _handlers[index] is not { } h)
        {
            return false;
        }
        handler = h;
        return true;
    }

    /// <summary>A snapshot of the live handlers (for shutdown).</summary>
    public List<IEpollHandler> Snapshot()
    {
        var list = new List<IEpollHandler>(Count);
        for (int i = 0; i < _used; i++)
        {
            if (_handlers[i] is { } h)
            {
                list.Add(h);
            }
        }
        return list;
    }
}
