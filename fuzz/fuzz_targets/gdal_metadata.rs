//! GDAL_METADATA XML and GDAL_NODATA text parsing over arbitrary text.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(md) = tessera_geo::GdalMetadata::parse(&text) {
        let xml = md.to_xml();
        // What we write, we read back the same.
        let again = tessera_geo::GdalMetadata::parse(&xml).expect("own XML parses");
        assert_eq!(again.to_xml(), xml);
    }
    let _ = tessera_geo::parse_gdal_nodata(&text);
});
