//! A small, bounded WKT1 tree reader (used for crs-definitions' WKT and ESRI PE strings).

/// A WKT node: `NAME[child, child, ...]`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Wkt {
    Node(String, Vec<Wkt>),
    Str(String),
    Num(f64),
    Word(String),
}

const MAX_DEPTH: usize = 32;
const MAX_NODES: usize = 10_000;

impl Wkt {
    pub(crate) fn parse(s: &str) -> Option<Wkt> {
        let mut p = Parser {
            b: s.as_bytes(),
            i: 0,
            nodes: 0,
        };
        let w = p.value(0)?;
        Some(w)
    }
    pub(crate) fn name(&self) -> &str {
        match self {
            Wkt::Node(n, _) => n,
            _ => "",
        }
    }
    pub(crate) fn children(&self) -> &[Wkt] {
        match self {
            Wkt::Node(_, c) => c,
            _ => &[],
        }
    }
    pub(crate) fn child(&self, name: &str) -> Option<&Wkt> {
        self.children()
            .iter()
            .find(|c| c.name().eq_ignore_ascii_case(name))
    }
    pub(crate) fn children_named<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Wkt> + 'a {
        self.children()
            .iter()
            .filter(move |c| c.name().eq_ignore_ascii_case(name))
    }
    pub(crate) fn str_at(&self, i: usize) -> Option<&str> {
        match self.children().get(i)? {
            Wkt::Str(s) | Wkt::Word(s) => Some(s),
            _ => None,
        }
    }
    pub(crate) fn num_at(&self, i: usize) -> Option<f64> {
        match self.children().get(i)? {
            Wkt::Num(v) => Some(*v),
            Wkt::Str(s) => s.parse().ok(),
            _ => None,
        }
    }
    /// `AUTHORITY["EPSG","code"]` of this node.
    pub(crate) fn epsg(&self) -> Option<u32> {
        let a = self.child("AUTHORITY")?;
        if !a.str_at(0)?.eq_ignore_ascii_case("EPSG") {
            return None;
        }
        a.str_at(1)?.parse().ok()
    }
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
    nodes: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() && self.b[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn value(&mut self, depth: usize) -> Option<Wkt> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return None;
        }
        self.ws();
        let c = *self.b.get(self.i)?;
        if c == b'"' {
            self.i += 1;
            let start = self.i;
            while self.i < self.b.len() && self.b[self.i] != b'"' {
                self.i += 1;
            }
            let s = String::from_utf8_lossy(&self.b[start..self.i.min(self.b.len())]).into_owned();
            self.i += 1;
            return Some(Wkt::Str(s));
        }
        let start = self.i;
        while self.i < self.b.len() && !matches!(self.b[self.i], b'[' | b']' | b'(' | b')' | b',') {
            self.i += 1;
        }
        let word = String::from_utf8_lossy(&self.b[start..self.i])
            .trim()
            .to_string();
        self.ws();
        if matches!(self.b.get(self.i), Some(b'[' | b'(')) {
            self.i += 1;
            let mut kids = Vec::new();
            loop {
                self.ws();
                if matches!(self.b.get(self.i), Some(b']' | b')')) {
                    self.i += 1;
                    break;
                }
                kids.push(self.value(depth + 1)?);
                self.ws();
                match self.b.get(self.i) {
                    Some(b',') => self.i += 1,
                    Some(b']' | b')') => {
                        self.i += 1;
                        break;
                    }
                    _ => return None,
                }
            }
            return Some(Wkt::Node(word, kids));
        }
        if word.is_empty() {
            return None;
        }
        Some(match word.parse::<f64>() {
            Ok(v) => Wkt::Num(v),
            Err(_) => Wkt::Word(word),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nested() {
        let w = Wkt::parse(r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0]]"#).unwrap();
        assert_eq!(w.name(), "GEOGCS");
        let d = w.child("DATUM").unwrap();
        assert_eq!(d.epsg(), Some(6326));
        assert_eq!(d.child("SPHEROID").unwrap().num_at(2), Some(298.257223563));
    }

    #[test]
    fn hostile_input_is_rejected() {
        assert!(Wkt::parse(&"A[".repeat(10_000)).is_none());
        assert!(Wkt::parse("A[1,2").is_none());
        assert!(Wkt::parse("").is_none());
    }
}
