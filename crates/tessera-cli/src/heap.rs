//! Process-wide allocator settings for the `tessera` binary.
//!
//! The pipeline allocates and frees buffers of a few hundred KiB per tile on every worker thread
//! (compressed tiles, window buffers). With glibc's defaults each free that leaves the top of a
//! thread's heap above 128 KiB gives the memory back to the kernel, and the next allocation
//! page-faults it in again and zeroes it: on the mosaic benchmark 60 000 page faults and a fifth of
//! a second of system time per run. Keeping freed memory in the heap (it is reused by the next
//! tile) removes that. Peak RSS measured with and without: mosaic 24-35 MiB either way; normalize
//! on the 4x bench scene 35.7-40.1 MiB vs 34.7-35.6 MiB (2 runs each), system time there 0.6 s
//! vs 1.4-1.6 s.

/// Make glibc keep freed memory for reuse: trim the heap only above 256 MiB of free space, and
/// serve allocations up to 32 MiB (glibc's maximum) from the heap instead of fresh mappings.
/// Setting these turns off glibc's own dynamic threshold, so both are set together.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn keep_freed_memory() {
    // glibc's <malloc.h>.
    const M_TRIM_THRESHOLD: i32 = -1;
    const M_MMAP_THRESHOLD: i32 = -3;
    extern "C" {
        fn mallopt(param: i32, value: i32) -> i32;
    }
    // SAFETY: mallopt only changes allocator parameters; it is called before any thread is
    // started, with values glibc accepts (it returns 0 and changes nothing otherwise).
    unsafe {
        mallopt(M_MMAP_THRESHOLD, 32 << 20);
        mallopt(M_TRIM_THRESHOLD, 256 << 20);
    }
}

/// Other C libraries keep their defaults.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn keep_freed_memory() {}
