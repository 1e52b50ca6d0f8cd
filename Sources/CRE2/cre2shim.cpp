// A C ABI over RE2 so Swift can use it: each function forwards to one RE2 call.
#include "cre2shim.h"

#include <re2/re2.h>

#include <cstring>
#include <new>
#include <string>

struct cre2shim_regex {
    RE2 re;
    explicit cre2shim_regex(const re2::StringPiece &pattern, const RE2::Options &options)
        : re(pattern, options) {}
};

extern "C" cre2shim_regex *cre2shim_compile(const char *pattern, size_t length,
                                            char *error_buffer, size_t error_capacity) {
    RE2::Options options;
    options.set_log_errors(false);
    options.set_encoding(RE2::Options::EncodingUTF8);
    auto *regex = new (std::nothrow) cre2shim_regex(re2::StringPiece(pattern, length), options);
    if (regex == nullptr) {
        if (error_buffer != nullptr && error_capacity > 0) {
            std::strncpy(error_buffer, "out of memory", error_capacity - 1);
            error_buffer[error_capacity - 1] = '\0';
        }
        return nullptr;
    }
    if (!regex->re.ok()) {
        if (error_buffer != nullptr && error_capacity > 0) {
            const std::string &message = regex->re.error();
            size_t n = message.size() < error_capacity - 1 ? message.size() : error_capacity - 1;
            std::memcpy(error_buffer, message.data(), n);
            error_buffer[n] = '\0';
        }
        delete regex;
        return nullptr;
    }
    return regex;
}

extern "C" int cre2shim_partial_match(const cre2shim_regex *regex, const char *text,
                                      size_t length) {
    return RE2::PartialMatch(re2::StringPiece(text, length), regex->re) ? 1 : 0;
}

extern "C" void cre2shim_free(cre2shim_regex *regex) { delete regex; }
