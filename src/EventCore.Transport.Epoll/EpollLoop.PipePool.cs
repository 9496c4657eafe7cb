using System.IO.Pipelines;

namespace EventCore.Transport.Epoll;

/// <summary>
/// The loop's spare pipes: parked connections give theirs back (EpollConnection.Park.cs), and connections that
/// wake or open take them, so an idle connection holds no pipe and a busy loop makes no new ones. Owner only.
/// </summary>
internal sealed partial class EpollLoop
{
    /// <summary>Spare pipe pairs kept at most: enough for a burst of idle connections waking at once.</summary>
    private const int MaxSparePipes = 256;

    private readonly Stack<(Pipe Input, Pipe Output)> _sparePipes = new();

    /// <summary>Spare pipe pairs now (for tests). Racy outside the loop.</summary>
    internal int SparePipeCount => _sparePipes.Count;

    /// <summary>An input and an output pipe for a connection: spare ones if there are, else new ones. Owner only.</summary>
    public (Pipe Input, Pipe Output) RentPipes()
        => _sparePipes.TryPop(out var pipes) ? pipes : (new Pipe(InputPipeOptions), new Pipe(OutputPipeOptions));

    /// <summary>Takes back a connection's pipes, both ends of both already completed. Owner only.</summary>
    public void ReturnPipes(Pipe input, Pipe output)
    {
        if (_sparePipes.Count < MaxSparePipes)
        {
            input.Reset();
            output.Reset();
            _sparePipes.Push((input, output));
        }
    }
}
