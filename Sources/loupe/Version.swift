/// The version `loupe --version` prints.
let loupeVersion = "0.1.0"
