using Microsoft.Win32.SafeHandles;

namespace EventCore.Transport.Epoll;

/// <summary>
/// One SendFileAsync call. Holds a reference on the file handle until it completes, so the fd the loop passes
/// to sendfile cannot be closed under it. Progress fields are loop thread only.
/// </summary>
internal sealed class SendFileOperation
{
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SafeFileHandle _file;
    private readonly bool _addedRef;
    private CancellationTokenRegistration _registration;

    /// <summary>The next file offset to send; advanced by sendfile.</summary>
    public long Offset;

    public SendFileOperation(SafeFileHandle file, long offset, long count, CancellationToken cancellationToken)
    {
        _file = file;
        file.DangerousAddRef(ref _addedRef);
        FileFd = (int)file.DangerousGetHandle();
        Offset = offset;
        Remaining = count;
        CancellationToken = cancellationToken;
    }

    public int FileFd { get; }

    public long Remaining { get; set; }

    /// <summary>Set once the pipe bytes before it are written and sendfile has begun.</summary>
    public bool Started { get; set; }

    public CancellationToken CancellationToken { get; }

    public EpollConnection? Connection { get; private set; }

    public Task Task => _completion.Task;

    public void OnCancel(Action<object?> callback, EpollConnection connection)
    {
        Connection = connection;
        _registration = CancellationToken.UnsafeRegister(callback, this);
    }

    /// <summary>Completes the task (success, cancellation or error) and releases the file. Once.</summary>
    public void Complete(Exception? error)
    {
        _registration.Dispose();
        if (_addedRef)
        {
            _file.DangerousRelease();
        }
        if (error is OperationCanceledException)
        {
            _completion.TrySetCanceled(CancellationToken);
        }
        else if (error is not null)
        {
            _completion.TrySetException(error);
        }
        else
        {
            _completion.TrySetResult();
        }
    }
}
