//! Open arbitrary bytes as a GeoTIFF and read everything (`info` with stats and
//! checksums reads every band, overview and mask), under small limits.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tessera::{Dataset, InfoOptions, Limits, ReadRequest, Window};

fuzz_target!(|data: &[u8]| {
    let mut limits = Limits::default();
    limits.max_chunk_bytes = 1 << 22;
    limits.max_read_bytes = 1 << 24;
    limits.tiff.max_tag_bytes = 1 << 20;
    let Ok(ds) = Dataset::from_bytes_with_limits("fuzz.tif", data.to_vec(), limits) else {
        return;
    };
    if ds.width() * ds.height() <= 1 << 20 {
        let _ = ds.info(InfoOptions { stats: true, checksum: true });
    }
    // A boundless window across the top-left corner.
    let _ = ds.read(&ReadRequest::window(Window::new(-3, -2, 7, 5)));
});
