//! tessera-codec (work in progress)
