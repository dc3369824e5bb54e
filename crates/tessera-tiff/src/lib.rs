//! tessera-tiff (work in progress)
