//! tessera-grid (work in progress)
