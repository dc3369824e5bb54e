use super::*;

#[test]
fn epsg_basics() {
    let c = Crs::from_epsg(4326).unwrap();
    assert!(c.is_geographic());
    assert_eq!(c.to_proj_string(), "+proj=longlat +datum=WGS84 +no_defs");
    assert!(c.to_wkt().unwrap().starts_with("GEOGCS[\"WGS 84\""));
    assert_eq!(Crs::from_epsg(1), Err(CrsError::UnknownEpsg(1)));
    assert_eq!(Crs::from_epsg(100_000), Err(CrsError::UnknownEpsg(100_000)));
    let n83 = Crs::from_epsg(4269).unwrap();
    assert_eq!(n83.to_proj_string(), "+proj=longlat +datum=NAD83 +no_defs");
}

#[test]
fn equivalence_epsg_vs_user_defined() {
    let mut d = GeoKeyDirectory::new();
    for (id, v) in [
        (1024u16, 1u16),
        (2048, 4326),
        (3072, 32767),
        (3074, 32767),
        (3075, 1),
        (3076, 9001),
    ] {
        d.set(id, GeoKeyValue::Short(v));
    }
    for (id, v) in [
        (3081u16, 0.0),
        (3080, 15.0),
        (3092, 0.9996),
        (3082, 500000.0),
        (3083, 0.0),
    ] {
        d.set(id, GeoKeyValue::Double(v));
    }
    let user = Crs::from_geokeys(&d).unwrap().unwrap();
    assert_eq!(user.epsg(), None);
    let epsg = Crs::from_epsg(32633).unwrap();
    assert!(user.equivalent(&epsg), "{}", user.to_proj_string());
    assert!(!user.equivalent(&Crs::from_epsg(32634).unwrap()));
    // to_geokeys keeps the user keys, with the caller's raster type
    let k = user.to_geokeys(RasterType::PixelIsPoint);
    assert_eq!(k.short(3075), Some(1));
    assert_eq!(k.short(1025), Some(2));
    let e = epsg.to_geokeys(RasterType::PixelIsArea);
    assert_eq!((e.short(1024), e.short(3072)), (Some(1), Some(32633)));
}

#[test]
fn no_crs_and_errors() {
    assert_eq!(Crs::from_geokeys(&GeoKeyDirectory::new()), Ok(None));
    let mut d = GeoKeyDirectory::new();
    d.set(1025, GeoKeyValue::Short(1));
    assert_eq!(Crs::from_geokeys(&d), Ok(None));
    d.set(1024, GeoKeyValue::Short(1));
    d.set(3075, GeoKeyValue::Short(999));
    assert!(matches!(
        Crs::from_geokeys(&d),
        Err(CrsError::Unsupported(_))
    ));
    let mut d = GeoKeyDirectory::new();
    d.set(1024, GeoKeyValue::Short(1));
    d.set(3072, GeoKeyValue::Short(65000));
    assert_eq!(Crs::from_geokeys(&d), Err(CrsError::UnknownEpsg(65000)));
}

#[test]
fn user_wkt_is_built() {
    let mut d = GeoKeyDirectory::new();
    for (id, v) in [
        (1024u16, 1u16),
        (2048, 4267),
        (3072, 32767),
        (3075, 28),
        (3076, 9001),
    ] {
        d.set(id, GeoKeyValue::Short(v));
    }
    d.set(3078, GeoKeyValue::Double(33.75));
    d.set(3080, GeoKeyValue::Double(-117.333333333333));
    let c = Crs::from_geokeys(&d).unwrap().unwrap();
    let w = c.to_wkt().unwrap();
    assert!(w.contains("PROJECTION[\"Cylindrical_Equal_Area\"]"), "{w}");
    assert!(
        w.contains("PARAMETER[\"standard_parallel_1\",33.75]"),
        "{w}"
    );
}
