using EventCore.Server.Http1;

namespace EventCore.Server.Infrastructure;

/// <summary>
/// Which connections a heartbeat tick visits: never all of them (DESIGN §6, "the loop owns time"; h2o's timer wheel).
/// <list type="bullet">
/// <item><b>Idle wheel.</b> A connection waiting for its next request is filed under its next time of interest — the
/// pipe release 1 s into the idle wait, then the keep-alive deadline — in a hashed wheel of one-second slots. A tick
/// visits only the slots of the seconds that passed, so 100,000 idle connections cost nothing per tick; each is visited
/// about twice per due time. A connection found busy is unfiled; one whose time moved later is filed again.</item>
/// <item><b>Active list.</b> A connection with a request-time clock running — a head arriving in pieces
/// (RequestHeadersTimeout), a body drain, a body read waiting (MinRequestBodyDataRate), a response flush waiting
/// (MinResponseDataRate) — is visited on every tick while that lasts, and dropped on the first tick after.</item>
/// </list>
/// Each connection embeds its entry (<see cref="TimerEntry"/>), so filing allocates nothing.
/// </summary>
/// <remarks>
/// Thread rules: the wheel's slots and the active list belong to the tick (<see cref="Tick"/>, one at a time: the
/// heartbeat never overlaps ticks). Other threads only push a connection on one of two lock-free stacks (one
/// compare-exchange, no lock, so a loop thread never waits): <see cref="WatchIdle"/> when an idle connection is not
/// filed or filed too late for its new idle wait, <see cref="WatchActive"/> when a request-time clock starts and the
/// connection is not on the active list. The next tick takes each stack whole. Races are settled Dekker-fashion: the
/// request thread writes its state, fences, then reads the entry's filing; the tick writes the filing, fences, then
/// reads the state again and refiles if it changed, so one of them always sees the other.
/// </remarks>
internal sealed class ConnectionTimers
{
    /// <summary>Slots of the wheel, one second each (a power of two; a due time further out waits for later laps).</summary>
    internal const int SlotCount = 512;

    private const long SlotMs = 1000;

    private readonly Http1Connection?[] _slots = new Http1Connection?[SlotCount];
    private Http1Connection? _idleIncoming;
    private Http1Connection? _activeIncoming;
    private Http1Connection? _active;
    private long _lastSecond = -1;

    private long _ticks;
    private long _visits;
    private long _actions;

    /// <summary>Ticks run so far (tick thread writes, anyone reads).</summary>
    internal long Ticks => Volatile.Read(ref _ticks);

    /// <summary>Connection visits by every tick so far (the tick's cost; tick thread writes, anyone reads).</summary>
    internal long Visits => Volatile.Read(ref _visits);

    /// <summary>Timeouts acted on and pipe releases asked for by every tick so far (what the visits were for).</summary>
    internal long Actions => Volatile.Read(ref _actions);

    /// <summary>
    /// Request thread, after the connection began an idle wait (its idle state written, then a full fence): makes sure
    /// the wheel visits it by <paramref name="interest"/> (its next time of interest).
    /// </summary>
    public void WatchIdle(Http1Connection connection, long interest)
    {
        ref var entry = ref connection.Timer;
        var due = Volatile.Read(ref entry.Due);
        if (due != 0 && due <= interest)
        {
            return; // filed in time; the tick refiles it later if this idle wait lasts beyond that
        }

        if (Interlocked.CompareExchange(ref entry.IdleQueued, 1, 0) != 0)
        {
            return;
        }

        Push(ref _idleIncoming, connection, ref entry.IncomingNext);
    }

    /// <summary>
    /// Any thread, after a request-time clock started (its state written): the tick visits it until it stops. One
    /// compare-exchange (and, when the connection is not on the list yet, a push).
    /// </summary>
    public void WatchActive(Http1Connection connection)
    {
        ref var entry = ref connection.Timer;

        // Always the compare-exchange, never a plain read first: it is the full fence between the state written before
        // and this read, so a tick dropping the connection at the same time either sees that state or leaves it to us.
        if (Interlocked.CompareExchange(ref entry.Active, 1, 0) != 0)
        {
            return;
        }

        Push(ref _activeIncoming, connection, ref entry.ActiveNext);
    }

    /// <summary>Pushes <paramref name="connection"/> on a lock-free stack whose link in each connection is <paramref name="link"/>.</summary>
    private static void Push(ref Http1Connection? stack, Http1Connection connection, ref Http1Connection? link)
    {
        Http1Connection? head;
        do
        {
            head = Volatile.Read(ref stack);
            link = head;
        }
        while (Interlocked.CompareExchange(ref stack, connection, head) != head);
    }

    /// <summary>Heartbeat thread (ticks never overlap): visits what is due. Returns the connections visited.</summary>
    public long Tick(long now)
    {
        long visits = 0;
        long actions = 0;

        // Newly idle connections (and closed ones, to be unfiled).
        var incoming = Interlocked.Exchange(ref _idleIncoming, null);
        while (incoming is not null)
        {
            var next = incoming.Timer.IncomingNext;
            incoming.Timer.IncomingNext = null;
            Volatile.Write(ref incoming.Timer.IdleQueued, 0); // before reading its state: a later change queues it again
            Interlocked.MemoryBarrier();
            visits++;
            Visit(incoming, now, ref actions);
            incoming = next;
        }

        // The slots of the seconds since the last tick, that one included (what it filed for later in its second).
        var second = now / SlotMs;
        var first = _lastSecond < 0 ? second : Math.Max(_lastSecond, second - SlotCount + 1);
        _lastSecond = second;
        for (var s = first; s <= second; s++)
        {
            var index = (int)(s & (SlotCount - 1));
            var entry = _slots[index];
            _slots[index] = null;
            while (entry is not null)
            {
                var next = entry.Timer.Next;
                entry.Timer.Next = entry.Timer.Previous = null;
                Volatile.Write(ref entry.Timer.Due, 0);
                visits++;
                Visit(entry, now, ref actions);
                entry = next;
            }
        }

        visits += TickActive(now, ref actions);
        Volatile.Write(ref _visits, _visits + visits);
        Volatile.Write(ref _actions, _actions + actions);
        Volatile.Write(ref _ticks, _ticks + 1); // last: a reader that sees the tick counted sees its visits
        return visits;
    }

    /// <summary>Tick thread: acts on what is due for an idle connection and files it under its next time of interest.</summary>
    private void Visit(Http1Connection connection, long now, ref long actions)
    {
        try
        {
            var due = connection.OnIdleTimer(now, ref actions);
            while (true)
            {
                File(connection, due);
                Interlocked.MemoryBarrier(); // pairs with the fence in the request thread's idle start (see remarks)
                var again = connection.OnIdleTimer(now, ref actions);
                if (again == due)
                {
                    return;
                }

                due = again;
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            OnTimerFailed(connection, ex);
        }
    }

    /// <summary>An exception escaping a timer callback would end the process: one connection's failure stays its own.</summary>
    private static void OnTimerFailed(Http1Connection connection, Exception ex) => connection.Abort("Timeout handling failed: " + ex.Message);

    /// <summary>Tick thread: files the connection under <paramref name="due"/>, or unfiles it when 0.</summary>
    private void File(Http1Connection connection, long due)
    {
        ref var entry = ref connection.Timer;
        if (entry.Due == due)
        {
            return;
        }

        if (entry.Due != 0)
        {
            if (entry.Previous is { } previous)
            {
                previous.Timer.Next = entry.Next;
            }
            else
            {
                _slots[SlotOf(entry.Due)] = entry.Next;
            }

            if (entry.Next is { } following)
            {
                following.Timer.Previous = entry.Previous;
            }

            entry.Next = entry.Previous = null;
        }

        if (due != 0)
        {
            var index = SlotOf(due);
            var head = _slots[index];
            entry.Next = head;
            if (head is not null)
            {
                head.Timer.Previous = connection;
            }

            _slots[index] = connection;
        }

        Volatile.Write(ref entry.Due, due);
    }

    private static int SlotOf(long due) => (int)((due / SlotMs) & (SlotCount - 1));

    /// <summary>Tick thread: visits every connection with a request-time clock, and drops those whose clocks stopped.</summary>
    private long TickActive(long now, ref long actions)
    {
        // Newly active connections join the list.
        var incoming = Interlocked.Exchange(ref _activeIncoming, null);
        while (incoming is not null)
        {
            var next = incoming.Timer.ActiveNext;
            incoming.Timer.ActiveNext = _active;
            _active = incoming;
            incoming = next;
        }

        long visits = 0;
        Http1Connection? previous = null;
        var connection = _active;
        while (connection is not null)
        {
            var next = connection.Timer.ActiveNext;
            visits++;
            try
            {
                if (connection.OnHeartbeat(now))
                {
                    actions++;
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
            {
                OnTimerFailed(connection, ex);
            }

            var keep = connection.HasActiveClock;
            if (!keep)
            {
                // Drop it, unless a clock started meanwhile: WatchActive then saw Active still 1 and left it to us.
                Volatile.Write(ref connection.Timer.Active, 0);
                Interlocked.MemoryBarrier();
                keep = connection.HasActiveClock && Interlocked.CompareExchange(ref connection.Timer.Active, 1, 0) == 0;
            }

            if (keep)
            {
                previous = connection;
            }
            else
            {
                connection.Timer.ActiveNext = null;
                if (previous is null)
                {
                    _active = next;
                }
                else
                {
                    previous.Timer.ActiveNext = next;
                }
            }

            connection = next;
        }

        return visits;
    }
}

/// <summary>
/// A connection's place in its server's <see cref="ConnectionTimers"/>, embedded in the connection (no object per
/// timer). <see cref="Due"/>, <see cref="Previous"/> and <see cref="Next"/> are the wheel's (tick thread; request threads
/// read <see cref="Due"/> as a hint); <see cref="IncomingNext"/>/<see cref="IdleQueued"/> and
/// <see cref="ActiveNext"/>/<see cref="Active"/> are the two lock-free stacks' (pushed by any thread, taken by the tick).
/// </summary>
internal struct TimerEntry
{
    /// <summary>The time of interest the connection is filed under in the wheel (<see cref="Heartbeat.Now"/> ms), 0 when not filed.</summary>
    public long Due;

    public Http1Connection? Previous;
    public Http1Connection? Next;

    /// <summary>Next in the stack of connections waiting to be filed (or unfiled) by the next tick.</summary>
    public Http1Connection? IncomingNext;

    /// <summary>Next on the active list (or on the stack of connections joining it).</summary>
    public Http1Connection? ActiveNext;

    /// <summary>1 while on the stack of connections waiting to be filed.</summary>
    public int IdleQueued;

    /// <summary>1 while on the active list (or on its way there).</summary>
    public int Active;
}
