#ifndef CRE2SHIM_H
#define CRE2SHIM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// An opaque compiled RE2 pattern. Swift cannot import RE2's C++ classes, so this shim exposes
/// the three operations LoupeCEL needs through a C ABI.
typedef struct cre2shim_regex cre2shim_regex;

/// Compiles `pattern` (UTF-8, `length` bytes). On failure returns NULL and copies RE2's error
/// message, NUL-terminated and truncated to `error_capacity`, into `error_buffer`.
cre2shim_regex *cre2shim_compile(const char *pattern, size_t length, char *error_buffer,
                                 size_t error_capacity);

/// Returns 1 when the regex matches anywhere in `text` (RE2::PartialMatch), 0 otherwise.
int cre2shim_partial_match(const cre2shim_regex *regex, const char *text, size_t length);

/// Releases a regex returned by cre2shim_compile. NULL is ignored.
void cre2shim_free(cre2shim_regex *regex);

#ifdef __cplusplus
}
#endif

#endif
