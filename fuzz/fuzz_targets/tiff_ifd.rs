//! Header + IFD parsing over arbitrary bytes, then every tag read through every getter.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tessera_tiff::{ByteSource, Limits, Tag, TiffFile};

fuzz_target!(|data: &[u8]| {
    let limits = Limits { max_tag_bytes: 1 << 20, ..Limits::default() };
    if let Ok(tiff) = TiffFile::parse(ByteSource::from_vec(data.to_vec()), &limits) {
        for ifd in tiff.all_ifds() {
            for code in ifd.tag_codes() {
                let tag = Tag::from_code(code);
                let _ = ifd.u64s(tag);
                let _ = ifd.u64(tag);
                let _ = ifd.f64s(tag);
                let _ = ifd.ascii(tag);
            }
        }
    }
});
