#pragma once
/// HTTP requests and responses as values, and the RAII libcurl handles that carry them.
///
/// Two layers, as with every C library here: `Easy`/`Multi` own the CURL handles (move-only, no
/// naked curl_* calls outside lib/http), and `Request`/`Response` are plain values that the
/// protocol code builds and inspects without knowing about libcurl. Bodies are either a string or
/// a pull-style reader (`BodyReader`), so blobs stream from disk or a compressor without a copy.
#include <cstdint>
#include <exception>
#include <optional>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

typedef void CURL;
typedef void CURLM;
struct curl_slist;

namespace hoist::http {

/// Pulls request-body bytes: fills up to `size` bytes of `buf`, returns the count, 0 at the end.
/// Throwing aborts the transfer (the exception is kept and rethrown by the pool).
/// Returning `read_pause` pauses the transfer (libcurl's CURL_READFUNC_PAUSE) until Easy::resume().
using BodyReader = std::function<std::size_t(char* buf, std::size_t size)>;
inline constexpr std::size_t read_pause = 0x10000001;

struct Request {
    std::string method = "GET";
    std::string url;
    std::vector<std::string> headers;  ///< "Name: value"
    std::string body;                  ///< used when `reader` is empty
    BodyReader reader;                 ///< streamed body
    std::int64_t body_size = -1;       ///< for `reader`: known length, or -1 for chunked encoding
    bool insecure_tls = false;         ///< do not verify certificates (registry.insecure)
    std::string unix_socket;           ///< talk HTTP over this unix socket (Docker Engine API)
    std::string ca_file;               ///< verify the server against this CA only (Docker Engine TLS)
    std::string cert_file, key_file;   ///< client certificate and key (Docker Engine TLS)
    std::function<bool(const char*, std::size_t)> sink;  ///< streamed response body; false aborts
    long timeout_s = 0;                ///< whole-transfer timeout, 0: none (blobs can be large)
    /// A transfer slower than 1 KB/s for this long fails (a registry hung or gone without RST);
    /// 0: off, for answers that may rightly be silent for minutes (a Docker build's RUN step), which
    /// then need a timeout_s.
    long low_speed_time_s = 30;
};

struct Response {
    int curl_code = 0;          ///< CURLcode; nonzero means no (complete) HTTP response
    std::string curl_error;     ///< libcurl's message for curl_code
    long status = 0;
    std::multimap<std::string, std::string> headers;  ///< names lower case, of the final response
    std::string body;           ///< when no sink was given
    std::string url;            ///< the request URL

    /// First value of header `name` (lower case), or "".
    std::string header(const std::string& name) const;
    /// All values of `name` joined with ", " (WWW-Authenticate may come several times).
    std::string header_all(const std::string& name) const;
    bool ok() const { return curl_code == 0 && status >= 200 && status < 300; }
};

/// One libcurl easy handle configured from a Request; collects the Response.
class Easy {
public:
    explicit Easy(Request request);
    ~Easy();
    Easy(const Easy&) = delete;
    Easy& operator=(const Easy&) = delete;

    CURL* handle() const { return m_curl; }
    /// Runs the transfer to completion on this thread.
    Response perform();
    /// Completes the response after the multi handle reported `code` for this handle.
    Response finish(int code);
    /// True while the body reader has paused the transfer.
    bool paused() const { return m_paused; }
    /// Resumes a paused transfer (the reader has data again).
    void resume();
    /// Bytes of request body sent so far.
    std::int64_t uploaded() const { return m_uploaded; }

private:
    static std::size_t on_read(char* buf, std::size_t size, std::size_t n, void* self);
    static std::size_t on_write(char* buf, std::size_t size, std::size_t n, void* self);
    static std::size_t on_header(char* buf, std::size_t size, std::size_t n, void* self);

    CURL* m_curl = nullptr;
    ::curl_slist* m_headers = nullptr;
    Request m_request;
    Response m_response;
    std::size_t m_body_offset = 0;
    std::int64_t m_uploaded = 0;
    bool m_paused = false;
    char m_error[256] = {0};

public:
    std::exception_ptr reader_error;  ///< set when the reader threw
};

/// A libcurl multi handle. Easy handles are added and removed by pointer; ownership stays with
/// the caller, which must keep them alive until removed.
class Multi {
public:
    Multi();
    ~Multi();
    Multi(const Multi&) = delete;
    Multi& operator=(const Multi&) = delete;

    void add(Easy& easy);
    void remove(Easy& easy);
    /// Drives transfers as far as they go without waiting.
    void perform();
    /// Waits up to `timeout_ms` for socket activity or a notifier() call.
    void wait(int timeout_ms);
    /// A callable that wakes wait() from any thread (a compressor finishing a chunk of a paused
    /// upload). Safe to call after the Multi is gone: it then does nothing.
    std::function<void()> notifier();
    /// A finished transfer: its handle and CURLcode; nullopt when none is pending.
    std::optional<std::pair<CURL*, int>> next_done();

private:
    struct Waker {
        std::mutex mutex;
        CURLM* multi = nullptr;
    };
    CURLM* m_multi = nullptr;
    std::shared_ptr<Waker> m_waker;
};

/// Performs `request` on the calling thread (no auth, no retries: see Client for those).
Response perform(Request request);

}  // namespace hoist::http
