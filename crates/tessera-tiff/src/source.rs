use std::fs::File;
use std::path::Path;
use std::sync::Arc;

/// Where the bytes of a TIFF live: a read-only memory map of a file, or bytes in
/// memory (for embedding, tests and fuzzing). Cheap to clone and shareable
/// between threads.
#[derive(Clone)]
pub struct ByteSource {
    inner: Arc<Inner>,
}

enum Inner {
    Mapped(memmap2::Mmap),
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
            inner: Arc::new(Inner::Mapped(map)),
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
            Inner::Mapped(m) => m,
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
}

impl std::fmt::Debug for ByteSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ByteSource({} bytes)", self.len())
    }
}
