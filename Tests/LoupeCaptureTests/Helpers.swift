#if canImport(Glibc)
    import Glibc
#endif

func getpidForTest() -> Int32 { getpid() }

@discardableResult
func mkdirForTest(_ path: String) -> Bool { mkdir(path, 0o755) == 0 }
