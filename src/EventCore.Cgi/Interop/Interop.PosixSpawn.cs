using System.Runtime.InteropServices;
using System.Text;

namespace EventCore.Cgi.Interop;

internal static partial class Libc
{
    private const short PosixSpawnSetSigDef = 0x04;
    private const short PosixSpawnSetSigMask = 0x08;
    private const short PosixSpawnSetSid = 0x80;

    // glibc (x86-64, arm64): posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336, sigset_t 128.
    // The opaque structs are allocated with room to spare, zeroed, and only touched through libc.
    private const int FileActionsSize = 256;
    private const int AttributesSize = 1024;
    private const int SignalSetSize = 256;

    [LibraryImport(Name, EntryPoint = "posix_spawn")]
    private static unsafe partial int PosixSpawnRaw(int* pid, byte* path, void* fileActions, void* attributes, byte** argv, byte** envp);

    [LibraryImport(Name, EntryPoint = "posix_spawn_file_actions_init")]
    private static unsafe partial int FileActionsInit(void* fileActions);

    [LibraryImport(Name, EntryPoint = "posix_spawn_file_actions_destroy")]
    private static unsafe partial int FileActionsDestroy(void* fileActions);

    [LibraryImport(Name, EntryPoint = "posix_spawn_file_actions_adddup2")]
    private static unsafe partial int FileActionsAddDup2(void* fileActions, int fd, int newFd);

    [LibraryImport(Name, EntryPoint = "posix_spawn_file_actions_addclosefrom_np")]
    private static unsafe partial int FileActionsAddCloseFrom(void* fileActions, int lowFd);

    [LibraryImport(Name, EntryPoint = "posix_spawn_file_actions_addchdir_np")]
    private static unsafe partial int FileActionsAddChdir(void* fileActions, byte* path);

    [LibraryImport(Name, EntryPoint = "posix_spawnattr_init")]
    private static unsafe partial int AttributesInit(void* attributes);

    [LibraryImport(Name, EntryPoint = "posix_spawnattr_destroy")]
    private static unsafe partial int AttributesDestroy(void* attributes);

    [LibraryImport(Name, EntryPoint = "posix_spawnattr_setflags")]
    private static unsafe partial int AttributesSetFlags(void* attributes, short flags);

    [LibraryImport(Name, EntryPoint = "posix_spawnattr_setsigdefault")]
    private static unsafe partial int AttributesSetSignalDefault(void* attributes, void* signals);

    [LibraryImport(Name, EntryPoint = "posix_spawnattr_setsigmask")]
    private static unsafe partial int AttributesSetSignalMask(void* attributes, void* signals);

    [LibraryImport(Name, EntryPoint = "sigfillset")]
    private static unsafe partial int SignalSetFill(void* signals);

    [LibraryImport(Name, EntryPoint = "sigemptyset")]
    private static unsafe partial int SignalSetEmpty(void* signals);

    /// <summary>
    /// posix_spawn of <paramref name="path"/> in a new session (so a new process group whose id is the child's pid),
    /// with <paramref name="stdin"/>, <paramref name="stdout"/> and <paramref name="stderr"/> as its 0, 1 and 2 and every
    /// other descriptor closed (closefrom(3): also those the host inherited without close-on-exec), in
    /// <paramref name="workingDirectory"/>, with every signal at its default disposition (.NET ignores SIGPIPE, which
    /// exec would otherwise pass on) and none blocked, and exactly <paramref name="environment"/> as its environment.
    /// glibc runs it with CLONE_VFORK and reports a failed exec as the returned error (the failed child is reaped by
    /// glibc). The three fds must be 3 or higher, so that one dup2 cannot overwrite another's source.
    /// </summary>
    internal static unsafe Errno Spawn(
        string path, IReadOnlyList<string> arguments, IReadOnlyList<string> environment, string workingDirectory,
        int stdin, int stdout, int stderr, out int pid)
    {
        var strings = new NativeStrings(path, workingDirectory, arguments, environment);
        var fileActions = NativeMemory.AllocZeroed(FileActionsSize);
        var attributes = NativeMemory.AllocZeroed(AttributesSize);
        var signals = NativeMemory.AllocZeroed(SignalSetSize);
        try
        {
            var result = FileActionsInit(fileActions);
            if (result != 0)
            {
                pid = 0;
                return (Errno)result;
            }

            result = AttributesInit(attributes);
            if (result == 0)
            {
                result = Prepare(fileActions, attributes, signals, strings.WorkingDirectory, stdin, stdout, stderr);
                int child = 0;
                if (result == 0)
                {
                    result = PosixSpawnRaw(&child, strings.Path, fileActions, attributes, strings.Arguments, strings.Environment);
                }

                pid = result == 0 ? child : 0;
                _ = AttributesDestroy(attributes);
            }
            else
            {
                pid = 0;
            }

            _ = FileActionsDestroy(fileActions);
            return (Errno)result;
        }
        finally
        {
            NativeMemory.Free(signals);
            NativeMemory.Free(attributes);
            NativeMemory.Free(fileActions);
            strings.Dispose();
        }
    }

    private static unsafe int Prepare(void* fileActions, void* attributes, void* signals, byte* workingDirectory, int stdin, int stdout, int stderr)
    {
        int result;
        if ((result = FileActionsAddDup2(fileActions, stdin, 0)) != 0
            || (result = FileActionsAddDup2(fileActions, stdout, 1)) != 0
            || (result = FileActionsAddDup2(fileActions, stderr, 2)) != 0
            || (result = FileActionsAddCloseFrom(fileActions, 3)) != 0
            || (result = FileActionsAddChdir(fileActions, workingDirectory)) != 0)
        {
            return result;
        }

        _ = SignalSetFill(signals);
        if ((result = AttributesSetSignalDefault(attributes, signals)) != 0)
        {
            return result;
        }

        _ = SignalSetEmpty(signals);
        if ((result = AttributesSetSignalMask(attributes, signals)) != 0)
        {
            return result;
        }

        return AttributesSetFlags(attributes, PosixSpawnSetSid | PosixSpawnSetSigDef | PosixSpawnSetSigMask);
    }

    /// <summary>The NUL-terminated UTF-8 strings and NULL-terminated pointer arrays of one spawn, in one native block.</summary>
    private readonly unsafe struct NativeStrings : IDisposable
    {
        private readonly byte* _block;

        public NativeStrings(string path, string workingDirectory, IReadOnlyList<string> arguments, IReadOnlyList<string> environment)
        {
            var pointerBytes = (arguments.Count + 1 + environment.Count + 1) * sizeof(byte*);
            var textBytes = Measure(path) + Measure(workingDirectory);
            foreach (var argument in arguments)
            {
                textBytes += Measure(argument);
            }

            foreach (var variable in environment)
            {
                textBytes += Measure(variable);
            }

            _block = (byte*)NativeMemory.Alloc((nuint)(pointerBytes + textBytes));
            Arguments = (byte**)_block;
            Environment = Arguments + arguments.Count + 1;
            var text = _block + pointerBytes;
            Path = Write(path, ref text);
            WorkingDirectory = Write(workingDirectory, ref text);
            for (var i = 0; i < arguments.Count; i++)
            {
                Arguments[i] = Write(arguments[i], ref text);
            }

            Arguments[arguments.Count] = null;
            for (var i = 0; i < environment.Count; i++)
            {
                Environment[i] = Write(environment[i], ref text);
            }

            Environment[environment.Count] = null;
        }

        public byte* Path { get; }

        public byte* WorkingDirectory { get; }

        public byte** Arguments { get; }

        public byte** Environment { get; }

        public void Dispose() => NativeMemory.Free(_block);

        private static int Measure(string value) => Encoding.UTF8.GetByteCount(value) + 1;

        private static byte* Write(string value, ref byte* text)
        {
            var start = text;
            var length = Encoding.UTF8.GetByteCount(value);
            Encoding.UTF8.GetBytes(value, new Span<byte>(text, length));
            text[length] = 0;
            text += length + 1;
            return start;
        }
    }
}
