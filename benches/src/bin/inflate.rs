//! Single-thread throughput of tessera's inflater next to zlib-rs on real tiles.
//!
//! `inflate FILE [TILES]` decodes the first TILES (default 24) blocks of FILE, applies
//! predictor 2 and compresses each with zlib-rs's LZ77 at levels 1, 6 and 9 and with Huffman
//! coding alone (the two streams `deflate_encode` chooses between; GDAL writes LZ77 streams),
//! then inflates every tile with tessera's decoder and with
//! zlib-rs (through flate2): MB/s of decoded bytes per second of CPU time on this thread,
//! best of 5. The outputs are compared, so a wrong decode stops the run.

use tessera::codec::{deflate_encode_with, inflate, DeflateStrategy};
use tessera_benches::{cpu_now, first_tiles, TileForm};

fn zlib_rs_inflate(data: &[u8], out: &mut [u8]) {
    let mut d = flate2::Decompress::new(true);
    d.decompress(data, out, flate2::FlushDecompress::Finish)
        .expect("zlib-rs decodes its own stream");
}

type Decoder = fn(&[u8], &mut [u8]);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let file = args.next().ok_or("usage: inflate FILE [TILES]")?;
    let count: u64 = args.next().map_or(Ok(24), |a| a.parse())?;
    let tiles = first_tiles(&file, count, TileForm::Predicted)?;
    let total: usize = tiles.iter().map(Vec::len).sum();
    println!("{} tiles, {:.1} MB", tiles.len(), total as f64 / 1e6);
    let decoders: [(&str, Decoder); 2] = [
        ("tessera", |d, o| {
            inflate(d, o).expect("tessera inflates zlib-rs's stream")
        }),
        ("zlib-rs", zlib_rs_inflate),
    ];
    let streams = [
        ("lz77 level 1", 1, DeflateStrategy::Lz77),
        ("lz77 level 6", 6, DeflateStrategy::Lz77),
        ("lz77 level 9", 9, DeflateStrategy::Lz77),
        ("huffman only", 6, DeflateStrategy::HuffmanOnly),
    ];
    for (kind, level, strategy) in streams {
        let packed: Vec<Vec<u8>> = tiles
            .iter()
            .map(|t| deflate_encode_with(t, level, strategy))
            .collect();
        let mut out: Vec<Vec<u8>> = tiles.iter().map(|t| vec![0u8; t.len()]).collect();
        for (name, decode) in decoders {
            let mut best = f64::INFINITY;
            for _ in 0..5 {
                let start = cpu_now();
                for (p, o) in packed.iter().zip(out.iter_mut()) {
                    decode(p, o);
                }
                best = best.min(cpu_now() - start);
            }
            if out != tiles {
                return Err(format!("{name} decoded {kind} wrongly").into());
            }
            println!(
                "{kind:<13} {name:<8} {:7.1} MB/s",
                total as f64 / 1e6 / best
            );
        }
    }
    Ok(())
}
