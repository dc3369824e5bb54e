//! The zstd decoder (through `decode_chunk`, with predictors, byte order and bit depths) over arbitrary bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tessera_fuzz::check_decode(data, tessera_codec::Compression::Zstd);
});
