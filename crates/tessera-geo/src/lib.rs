//! tessera-geo (work in progress)
