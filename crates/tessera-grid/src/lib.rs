//! Integer raster geometry, nothing else: pixel windows, the block (strip/tile)
//! layout of an image, which blocks a window touches, and block-aligned window
//! grids. All arithmetic is integer and checked; no I/O.
//!
//! ```
//! use tessera_grid::{BlockLayout, Window};
//! let layout = BlockLayout::new(1000, 700, 256, 256).unwrap();
//! assert_eq!(layout.blocks_across(), 4);
//! let w = Window::new(250, 250, 10, 10);
//! let blocks: Vec<_> = layout.blocks_in(&w).collect();
//! assert_eq!(blocks.len(), 4); // the window straddles a block corner
//! ```
#![forbid(unsafe_code)]

use serde::{Deserialize, Serialize};

/// A rectangle of pixels: column and row offset (may be negative for boundless
/// reads) and a size. Plain data, so it can be logged, retried or sent elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Window {
    /// Column of the left edge (0 = first image column).
    pub col_off: i64,
    /// Row of the top edge.
    pub row_off: i64,
    /// Width in pixels.
    pub width: u64,
    /// Height in pixels.
    pub height: u64,
}

impl Window {
    /// A window at `(col_off, row_off)` of `width` x `height` pixels.
    pub fn new(col_off: i64, row_off: i64, width: u64, height: u64) -> Self {
        Window {
            col_off,
            row_off,
            width,
            height,
        }
    }

    /// The whole of a `width` x `height` image.
    pub fn full(width: u64, height: u64) -> Self {
        Window::new(0, 0, width, height)
    }

    /// Number of pixels, `None` on overflow.
    pub fn pixel_count(&self) -> Option<u64> {
        self.width.checked_mul(self.height)
    }

    /// Column one past the right edge.
    pub fn col_end(&self) -> i64 {
        self.col_off
            .saturating_add(i64::try_from(self.width).unwrap_or(i64::MAX))
    }

    /// Row one past the bottom edge.
    pub fn row_end(&self) -> i64 {
        self.row_off
            .saturating_add(i64::try_from(self.height).unwrap_or(i64::MAX))
    }

    /// The overlap of two windows, `None` when they do not overlap.
    pub fn intersection(&self, other: &Window) -> Option<Window> {
        let c0 = self.col_off.max(other.col_off);
        let r0 = self.row_off.max(other.row_off);
        let c1 = self.col_end().min(other.col_end());
        let r1 = self.row_end().min(other.row_end());
        if c1 <= c0 || r1 <= r0 {
            return None;
        }
        Some(Window::new(c0, r0, (c1 - c0) as u64, (r1 - r0) as u64))
    }

    /// True when the window lies inside a `width` x `height` image.
    pub fn is_within(&self, width: u64, height: u64) -> bool {
        self.col_off >= 0
            && self.row_off >= 0
            && (self.col_end() as u64) <= width
            && (self.row_end() as u64) <= height
    }
}

/// Errors of grid construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GridError {
    /// A zero block size, or sizes whose block count overflows.
    InvalidLayout(String),
}

impl std::fmt::Display for GridError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GridError::InvalidLayout(s) => write!(f, "invalid block layout: {s}"),
        }
    }
}

impl std::error::Error for GridError {}

/// How an image is cut into blocks: tiles, or strips (blocks as wide as the image).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockLayout {
    /// Image width in pixels.
    pub width: u64,
    /// Image height in pixels.
    pub height: u64,
    /// Block width (image width for strips).
    pub block_width: u64,
    /// Block height (rows per strip for strips).
    pub block_height: u64,
}

/// Position of one block in the layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlockIndex {
    /// Block column.
    pub col: u64,
    /// Block row.
    pub row: u64,
}

impl BlockLayout {
    /// A layout; block sizes must be non-zero.
    pub fn new(
        width: u64,
        height: u64,
        block_width: u64,
        block_height: u64,
    ) -> Result<Self, GridError> {
        if block_width == 0 || block_height == 0 {
            return Err(GridError::InvalidLayout(format!(
                "block size {block_width}x{block_height}"
            )));
        }
        let layout = BlockLayout {
            width,
            height,
            block_width,
            block_height,
        };
        layout
            .blocks_across()
            .checked_mul(layout.blocks_down())
            .ok_or_else(|| GridError::InvalidLayout("block count overflows".into()))?;
        Ok(layout)
    }

    /// Blocks per row of blocks.
    pub fn blocks_across(&self) -> u64 {
        self.width.div_ceil(self.block_width)
    }

    /// Rows of blocks.
    pub fn blocks_down(&self) -> u64 {
        self.height.div_ceil(self.block_height)
    }

    /// Blocks per plane.
    pub fn block_count(&self) -> u64 {
        self.blocks_across() * self.blocks_down()
    }

    /// Row-major number of a block within one plane.
    pub fn linear(&self, b: BlockIndex) -> u64 {
        b.row * self.blocks_across() + b.col
    }

    /// The pixel window a block covers, clipped to the image.
    pub fn block_window(&self, b: BlockIndex) -> Window {
        let c0 = b.col * self.block_width;
        let r0 = b.row * self.block_height;
        let w = self.block_width.min(self.width.saturating_sub(c0));
        let h = self.block_height.min(self.height.saturating_sub(r0));
        Window::new(c0 as i64, r0 as i64, w, h)
    }

    /// The blocks a window touches (the part of it inside the image), row-major.
    pub fn blocks_in(&self, w: &Window) -> impl Iterator<Item = BlockIndex> + '_ {
        let clipped = w.intersection(&Window::full(self.width, self.height));
        let (c0, c1, r0, r1) = match clipped {
            Some(c) => (
                c.col_off as u64 / self.block_width,
                (c.col_end() as u64 - 1) / self.block_width + 1,
                c.row_off as u64 / self.block_height,
                (c.row_end() as u64 - 1) / self.block_height + 1,
            ),
            None => (0, 0, 0, 0),
        };
        (r0..r1).flat_map(move |row| (c0..c1).map(move |col| BlockIndex { col, row }))
    }
}

/// Cut a `width` x `height` area into windows of at most `tile_w` x `tile_h`,
/// row-major: a deterministic grid whose windows align with blocks whenever the
/// tile size is a multiple of the block size.
pub fn window_grid(width: u64, height: u64, tile_w: u64, tile_h: u64) -> Vec<Window> {
    let Ok(layout) = BlockLayout::new(width, height, tile_w, tile_h) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for row in 0..layout.blocks_down() {
        for col in 0..layout.blocks_across() {
            out.push(layout.block_window(BlockIndex { col, row }));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_counts_use_ceiling_division() {
        let l = BlockLayout::new(1000, 700, 256, 256).unwrap();
        assert_eq!(
            (l.blocks_across(), l.blocks_down(), l.block_count()),
            (4, 3, 12)
        );
        assert_eq!(
            l.block_window(BlockIndex { col: 3, row: 2 }),
            Window::new(768, 512, 232, 188)
        );
        assert!(BlockLayout::new(10, 10, 0, 5).is_err());
        assert!(BlockLayout::new(u64::MAX, u64::MAX, 1, 1).is_err());
    }

    #[test]
    fn blocks_in_clips_boundless_windows() {
        let l = BlockLayout::new(100, 100, 32, 32).unwrap();
        let all: Vec<_> = l.blocks_in(&Window::new(-50, -50, 1000, 1000)).collect();
        assert_eq!(all.len(), 16);
        assert_eq!(l.blocks_in(&Window::new(200, 0, 10, 10)).count(), 0);
        let one: Vec<_> = l.blocks_in(&Window::new(31, 31, 1, 1)).collect();
        assert_eq!(one, vec![BlockIndex { col: 0, row: 0 }]);
        let four: Vec<_> = l.blocks_in(&Window::new(31, 31, 2, 2)).collect();
        assert_eq!(four.len(), 4);
    }

    #[test]
    fn intersection_and_within() {
        let a = Window::new(0, 0, 10, 10);
        assert_eq!(
            a.intersection(&Window::new(5, 5, 10, 10)),
            Some(Window::new(5, 5, 5, 5))
        );
        assert_eq!(a.intersection(&Window::new(10, 0, 3, 3)), None);
        assert!(a.is_within(10, 10));
        assert!(!Window::new(-1, 0, 2, 2).is_within(10, 10));
    }

    #[test]
    fn grid_covers_area_exactly_once() {
        let g = window_grid(1000, 300, 256, 256);
        assert_eq!(g.len(), 8);
        let area: u64 = g.iter().map(|w| w.pixel_count().unwrap()).sum();
        assert_eq!(area, 300_000);
        assert_eq!(g[3], Window::new(768, 0, 232, 256));
    }
}
