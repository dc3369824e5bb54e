//! GeoKey directory parsing and CRS building over arbitrary key directories.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    // Split: u16 directory, f64 doubles, ASCII params.
    let n_dir = usize::from(data[0]) * 2;
    let n_dbl = usize::from(data[1] % 16) * 8;
    let rest = &data[2..];
    let (dir_bytes, rest) = rest.split_at(n_dir.min(rest.len()));
    let (dbl_bytes, ascii) = rest.split_at(n_dbl.min(rest.len()));
    let dir: Vec<u16> = dir_bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
    let doubles: Vec<f64> = dbl_bytes
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    let ascii = String::from_utf8_lossy(ascii);
    if let Ok(keys) = tessera_geo::GeoKeyDirectory::parse(&dir, &doubles, &ascii) {
        if let Ok(Some(crs)) = tessera_geo::Crs::from_geokeys(&keys) {
            let _ = crs.to_proj_string();
            let _ = crs.to_wkt();
            let _ = crs.epsg();
            let _ = crs.equivalent(&crs);
        }
        let _ = keys.to_tags();
    }
});
