using System.Runtime.CompilerServices;

// The spool benchmark compares batched and unbatched commits through the internal constructor.
[assembly: InternalsVisibleTo("SpoolBench")]
