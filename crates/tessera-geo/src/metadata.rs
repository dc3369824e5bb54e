//! GDAL_METADATA (tag 42112) XML.

use std::collections::BTreeMap;

use crate::error::GeoError;

/// One metadata item.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MetaItem {
    /// Metadata domain ("" for the default domain).
    pub domain: String,
    /// Item name.
    pub name: String,
    /// Value as GDAL returns it (fully unescaped).
    pub value: String,
}

/// Per-band metadata.  Items with a `role` fill the typed fields and are not in `items`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BandMeta {
    /// Plain items in file order.
    pub items: Vec<MetaItem>,
    /// role="description".
    pub description: Option<String>,
    /// role="scale".
    pub scale: Option<f64>,
    /// role="offset".
    pub offset: Option<f64>,
    /// role="unittype".
    pub units: Option<String>,
    /// role="colorinterp".
    pub colorinterp: Option<String>,
}

/// Parsed GDAL_METADATA.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GdalMetadata {
    /// Dataset items in file order.
    pub dataset: Vec<MetaItem>,
    /// Band metadata by 0-based sample index.
    pub bands: BTreeMap<u32, BandMeta>,
}

/// Maximum number of items read (bounds work on hostile input).
const MAX_ITEMS: usize = 1_000_000;

fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        // Search bytes, not a str slice: 12 bytes may end inside a multi-byte character.
        let end = rest.as_bytes()[..rest.len().min(12)]
            .iter()
            .position(|&b| b == b';');
        let decoded = end.and_then(|e| {
            let ent = &rest[1..e];
            let c = match ent {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ if ent.starts_with("#x") || ent.starts_with("#X") => {
                    u32::from_str_radix(&ent[2..], 16)
                        .ok()
                        .and_then(char::from_u32)
                }
                _ if ent.starts_with('#') => ent[1..].parse::<u32>().ok().and_then(char::from_u32),
                _ => None,
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// Parses `name="value"` attributes of a start tag body.
fn attributes(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(eq) = rest.find('=') {
        let name = rest[..eq].trim().to_string();
        let after = rest[eq + 1..].trim_start();
        let Some(q) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            break;
        };
        let body = &after[1..];
        let Some(end) = body.find(q) else {
            break;
        };
        out.push((name, unescape(&body[..end])));
        rest = &body[end + 1..];
    }
    out
}

impl GdalMetadata {
    /// Parses GDAL_METADATA XML.  Values are unescaped twice (GDAL writes them escaped twice).
    pub fn parse(xml: &str) -> Result<Self, GeoError> {
        let xml = xml.trim_matches(|c: char| c.is_whitespace() || c == '\0');
        let start = xml
            .find("<GDALMetadata")
            .ok_or_else(|| GeoError::Xml("no <GDALMetadata> element".into()))?;
        let mut md = GdalMetadata::default();
        let mut rest = &xml[start + "<GDALMetadata".len()..];
        let open_end = rest
            .find('>')
            .ok_or_else(|| GeoError::Xml("unterminated <GDALMetadata>".into()))?;
        if rest[..open_end].ends_with('/') {
            return Ok(md);
        }
        rest = &rest[open_end + 1..];
        let mut count = 0usize;
        loop {
            let Some(lt) = rest.find('<') else {
                return Err(GeoError::Xml("missing </GDALMetadata>".into()));
            };
            rest = &rest[lt..];
            if rest.starts_with("</GDALMetadata") {
                break;
            }
            if rest.starts_with("<!--") {
                let end = rest
                    .find("-->")
                    .ok_or_else(|| GeoError::Xml("unterminated comment".into()))?;
                rest = &rest[end + 3..];
                continue;
            }
            if !rest.starts_with("<Item") {
                return Err(GeoError::Xml(format!(
                    "unexpected element {}",
                    rest.chars().take(20).collect::<String>()
                )));
            }
            count += 1;
            if count > MAX_ITEMS {
                return Err(GeoError::Xml("too many items".into()));
            }
            let gt = rest
                .find('>')
                .ok_or_else(|| GeoError::Xml("unterminated <Item>".into()))?;
            let tag = &rest[5..gt];
            let (attrs_s, empty) = match tag.strip_suffix('/') {
                Some(t) => (t, true),
                None => (tag, false),
            };
            let attrs = attributes(attrs_s);
            let value = if empty {
                rest = &rest[gt + 1..];
                String::new()
            } else {
                let body = &rest[gt + 1..];
                let end = body
                    .find("</Item>")
                    .ok_or_else(|| GeoError::Xml("missing </Item>".into()))?;
                let v = unescape(&unescape(&body[..end]));
                rest = &body[end + "</Item>".len()..];
                v
            };
            let get = |k: &str| attrs.iter().find(|a| a.0 == k).map(|a| a.1.as_str());
            let Some(name) = get("name") else {
                continue;
            };
            let item = MetaItem {
                domain: get("domain").unwrap_or("").to_string(),
                name: name.to_string(),
                value,
            };
            match get("sample").map(|s| s.trim().parse::<u32>()) {
                Some(Ok(sample)) => {
                    let band = md.bands.entry(sample).or_default();
                    match get("role") {
                        Some("description") => band.description = Some(item.value),
                        Some("scale") => band.scale = crate::nodata::parse_gdal_nodata(&item.value),
                        Some("offset") => {
                            band.offset = crate::nodata::parse_gdal_nodata(&item.value)
                        }
                        Some("unittype") => band.units = Some(item.value),
                        Some("colorinterp") => band.colorinterp = Some(item.value),
                        _ => band.items.push(item),
                    }
                }
                Some(Err(_)) => {}
                None => md.dataset.push(item),
            }
        }
        Ok(md)
    }

    /// Serialises as GDAL writes it (values escaped twice).
    pub fn to_xml(&self) -> String {
        let mut s = String::from("<GDALMetadata>\n");
        let item = |s: &mut String, it: &MetaItem, sample: Option<u32>, role: Option<&str>| {
            s.push_str(&format!("  <Item name=\"{}\"", escape(&it.name)));
            if !it.domain.is_empty() {
                s.push_str(&format!(" domain=\"{}\"", escape(&it.domain)));
            }
            if let Some(n) = sample {
                s.push_str(&format!(" sample=\"{n}\""));
            }
            if let Some(r) = role {
                s.push_str(&format!(" role=\"{r}\""));
            }
            s.push_str(&format!(">{}</Item>\n", escape(&escape(&it.value))));
        };
        for it in &self.dataset {
            item(&mut s, it, None, None);
        }
        for (n, b) in &self.bands {
            for it in &b.items {
                item(&mut s, it, Some(*n), None);
            }
            let mk = |name: &str, value: String| MetaItem {
                domain: String::new(),
                name: name.into(),
                value,
            };
            if let Some(v) = b.offset {
                item(
                    &mut s,
                    &mk("OFFSET", format!("{v}")),
                    Some(*n),
                    Some("offset"),
                );
            }
            if let Some(v) = b.scale {
                item(
                    &mut s,
                    &mk("SCALE", format!("{v}")),
                    Some(*n),
                    Some("scale"),
                );
            }
            if let Some(v) = &b.units {
                item(
                    &mut s,
                    &mk("UNITTYPE", v.clone()),
                    Some(*n),
                    Some("unittype"),
                );
            }
            if let Some(v) = &b.description {
                item(
                    &mut s,
                    &mk("DESCRIPTION", v.clone()),
                    Some(*n),
                    Some("description"),
                );
            }
            if let Some(v) = &b.colorinterp {
                item(
                    &mut s,
                    &mk("COLORINTERP", v.clone()),
                    Some(*n),
                    Some("colorinterp"),
                );
            }
        }
        s.push_str("</GDALMetadata>\n");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BAND_TAGS: &str = r#"<GDALMetadata>
  <Item name="OVR_RESAMPLING_ALG">NEAREST</Item>
  <Item name="STATISTICS_MAXIMUM" sample="0">13413</Item>
  <Item name="STATISTICS_MEAN" sample="0">4897.7902945216</Item>
  <Item name="OFFSET" sample="0" role="offset">1000</Item>
  <Item name="SCALE" sample="0" role="scale">0.000100000000000000005</Item>
  <Item name="DESCRIPTION" sample="0" role="description">Green</Item>
  <Item name="NAME" domain="TILING_SCHEME">GoogleMapsCompatible</Item>
  <Item name="UNITTYPE" sample="1" role="unittype">metre</Item>
  <Item name="COLORINTERP" sample="1" role="colorinterp">Undefined</Item>
  <Item name="positive_value" sample="1">west</Item>
</GDALMetadata>
"#;

    #[test]
    fn parses_rio_cogeo_band_tags() {
        let md = GdalMetadata::parse(BAND_TAGS).unwrap();
        assert_eq!(md.dataset.len(), 2);
        assert_eq!(md.dataset[0].name, "OVR_RESAMPLING_ALG");
        assert_eq!(md.dataset[1].domain, "TILING_SCHEME");
        let b0 = &md.bands[&0];
        assert_eq!(b0.description.as_deref(), Some("Green"));
        assert_eq!(b0.scale, Some(0.0001));
        assert_eq!(b0.offset, Some(1000.0));
        assert_eq!(b0.items.len(), 2);
        assert_eq!(b0.items[1].value, "4897.7902945216");
        let b1 = &md.bands[&1];
        assert_eq!(b1.units.as_deref(), Some("metre"));
        assert_eq!(b1.colorinterp.as_deref(), Some("Undefined"));
        assert_eq!(b1.items[0].value, "west");
    }

    #[test]
    fn double_unescape_and_roundtrip() {
        let md = GdalMetadata::parse(r#"<GDALMetadata><Item name="a">x &amp;amp; y &amp;lt;z&amp;gt;</Item><Item name="e"/></GDALMetadata>"#).unwrap();
        assert_eq!(md.dataset[0].value, "x & y <z>");
        assert_eq!(md.dataset[1].value, "");
        let xml = md.to_xml();
        assert!(xml.contains("x &amp;amp; y"));
        assert_eq!(GdalMetadata::parse(&xml).unwrap(), md);
        let full = GdalMetadata::parse(BAND_TAGS).unwrap();
        assert_eq!(GdalMetadata::parse(&full.to_xml()).unwrap(), full);
    }

    #[test]
    fn hostile_input() {
        assert!(GdalMetadata::parse("").is_err());
        assert!(GdalMetadata::parse("<GDALMetadata>").is_err());
        assert!(GdalMetadata::parse("<GDALMetadata><Item name=\"a\">x").is_err());
        assert!(GdalMetadata::parse("<GDALMetadata><Foo/></GDALMetadata>").is_err());
        assert!(GdalMetadata::parse(&format!(
            "<GDALMetadata>{}",
            "<Item name=\"a\">&amp;".repeat(1000)
        ))
        .is_err());
        assert_eq!(
            GdalMetadata::parse("<GDALMetadata/>").unwrap(),
            GdalMetadata::default()
        );
        assert_eq!(unescape("&#233;&#xE9;&bogus;&"), "éé&bogus;&");
    }
}
