use std::borrow::Cow;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

/// Where the bytes of a TIFF live: a read-only memory map of a file, or bytes in
/// memory (for embedding, tests and fuzzing). Cheap to clone and shareable
/// between threads.
///
/// Headers and directories are read through the map ([`ByteSource::bytes`],
/// [`ByteSource::range`]); pixel chunks through [`ByteSource::read_chunk`], which reads
/// a mapped file with `pread` instead: pages touched through a map stay in the
/// process's resident set until unmapped, so reading a whole 90 MB scene through the
/// map added 90 MB to peak RSS (and 4x that for a 4x scene), while `pread` copies
/// each chunk into a buffer freed after decoding.
#[derive(Clone)]
pub struct ByteSource {
    inner: Arc<Inner>,
}

enum Inner {
    Mapped(memmap2::Mmap, File),
    Owned(Vec<u8>),
    Empty,
}

impl ByteSource {
    /// Map a file read-only.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        if len == 0 {
            // Mapping an empty file fails on some systems; an empty source parses to a clean error.
            return Ok(ByteSource {
                inner: Arc::new(Inner::Empty),
            });
        }
        // SAFETY: the map is read-only; tessera never writes to its inputs. Another
        // process truncating the file while it is mapped can raise SIGBUS, the same
        // contract GDAL, ripgrep and every mmap reader accept; reads are bounds-checked
        // against the length at open time.
        #[allow(unsafe_code)]
        let map = unsafe { memmap2::Mmap::map(&file)? };
        Ok(ByteSource {
            inner: Arc::new(Inner::Mapped(map, file)),
        })
    }

    /// Use bytes already in memory.
    pub fn from_vec(bytes: Vec<u8>) -> Self {
        ByteSource {
            inner: Arc::new(Inner::Owned(bytes)),
        }
    }

    /// All bytes.
    pub fn bytes(&self) -> &[u8] {
        match &*self.inner {
            Inner::Mapped(m, _) => m,
            Inner::Owned(v) => v,
            Inner::Empty => &[],
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> u64 {
        self.bytes().len() as u64
    }

    /// True when there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.bytes().is_empty()
    }

    /// The bytes `offset..offset+len`, or `None` when any of them lies past the end.
    pub fn range(&self, offset: u64, len: u64) -> Option<&[u8]> {
        let end = offset.checked_add(len)?;
        if end > self.len() {
            return None;
        }
        let start = usize::try_from(offset).ok()?;
        let end = usize::try_from(end).ok()?;
        Some(&self.bytes()[start..end])
    }

    /// The bytes `offset..offset+len` of a pixel chunk: `Ok(None)` when any of them lies
    /// past the end, an I/O error when the file cannot be read. Borrowed for bytes in
    /// memory; read with `pread` into a new buffer for a file (see the type's documentation).
    pub fn read_chunk(&self, offset: u64, len: u64) -> std::io::Result<Option<Cow<'_, [u8]>>> {
        match &*self.inner {
            #[cfg(unix)]
            Inner::Mapped(map, file) => {
                use std::os::unix::fs::FileExt;
                let in_file = offset
                    .checked_add(len)
                    .is_some_and(|end| end <= map.len() as u64);
                let Ok(len) = usize::try_from(len) else {
                    return Ok(None);
                };
                if !in_file {
                    return Ok(None);
                }
                let mut buf = vec![0u8; len];
                file.read_exact_at(&mut buf, offset)?;
                Ok(Some(Cow::Owned(buf)))
            }
            _ => Ok(self.range(offset, len).map(Cow::Borrowed)),
        }
    }
}

impl std::fmt::Debug for ByteSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ByteSource({} bytes)", self.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_reads_match_the_map_and_stop_at_the_end() {
        let bytes: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let path = std::env::temp_dir().join(format!("tessera-source-{}.bin", std::process::id()));
        std::fs::write(&path, &bytes).unwrap();
        let file = ByteSource::open(&path).unwrap();
        let memory = ByteSource::from_vec(bytes.clone());
        for source in [&file, &memory] {
            let chunk = source.read_chunk(1234, 4000).unwrap().unwrap();
            assert_eq!(&chunk[..], &bytes[1234..5234]);
            assert_eq!(&chunk[..], source.range(1234, 4000).unwrap());
            assert!(source.read_chunk(9_999, 2).unwrap().is_none());
            assert!(source.read_chunk(u64::MAX, 2).unwrap().is_none());
            assert_eq!(source.read_chunk(10_000, 0).unwrap().unwrap().len(), 0);
        }
        std::fs::remove_file(&path).unwrap();
    }
}
