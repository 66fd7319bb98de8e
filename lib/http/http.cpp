#include "http/http.hpp"

#include <curl/curl.h>

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>

#include "util/ca_bundle.hpp"
#include "util/strings.hpp"

namespace hoist::http {

namespace {
/// curl_global_init is not thread-safe; do it once before the first handle.
struct CurlGlobal {
    CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
    ~CurlGlobal() { curl_global_cleanup(); }
};
void ensure_global() { static CurlGlobal g; }

/// The CA bundle for this machine when libcurl's compiled-in one is missing (util/ca_bundle.hpp).
const std::string& system_ca_bundle() {
    static const std::string path = [] {
        const char* env = std::getenv("SSL_CERT_FILE");
        const char* def = curl_version_info(CURLVERSION_NOW)->cainfo;
        return pick_ca_bundle(env ? env : "", def ? def : "",
                              [](const std::string& p) { return ::access(p.c_str(), R_OK) == 0; });
    }();
    return path;
}
}  // namespace

std::string Response::header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
}

std::string Response::header_all(const std::string& name) const {
    std::vector<std::string> v;
    auto [b, e] = headers.equal_range(name);
    for (auto it = b; it != e; ++it) v.push_back(it->second);
    return join(v, ", ");
}

Easy::Easy(Request request) : m_request(std::move(request)) {
    ensure_global();
    m_curl = curl_easy_init();
    if (!m_curl) throw std::runtime_error("curl_easy_init failed");
    m_response.url = m_request.url;
    curl_easy_setopt(m_curl, CURLOPT_URL, m_request.url.c_str());
    curl_easy_setopt(m_curl, CURLOPT_ERRORBUFFER, m_error);
    curl_easy_setopt(m_curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(m_curl, CURLOPT_FOLLOWLOCATION, 0L);  // redirects are followed by Client, see same_origin
    curl_easy_setopt(m_curl, CURLOPT_CONNECTTIMEOUT, 15L);
    // A stalled connection (registry hung or gone without RST) fails after 30 s below 1 KB/s.
    if (m_request.low_speed_time_s > 0) {
        curl_easy_setopt(m_curl, CURLOPT_LOW_SPEED_LIMIT, 1024L);
        curl_easy_setopt(m_curl, CURLOPT_LOW_SPEED_TIME, m_request.low_speed_time_s);
    }
    curl_easy_setopt(m_curl, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(m_curl, CURLOPT_USERAGENT, "hoist/0.1");
    // HTTP/1.1 everywhere: HTTP/2 flow control windows are known to cripple large blob uploads.
    curl_easy_setopt(m_curl, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
    if (m_request.timeout_s > 0) curl_easy_setopt(m_curl, CURLOPT_TIMEOUT, m_request.timeout_s);
    if (m_request.insecure_tls) {
        curl_easy_setopt(m_curl, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(m_curl, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (!m_request.unix_socket.empty()) curl_easy_setopt(m_curl, CURLOPT_UNIX_SOCKET_PATH, m_request.unix_socket.c_str());
    if (!m_request.ca_file.empty()) curl_easy_setopt(m_curl, CURLOPT_CAINFO, m_request.ca_file.c_str());
    else if (!system_ca_bundle().empty()) curl_easy_setopt(m_curl, CURLOPT_CAINFO, system_ca_bundle().c_str());
    if (!m_request.cert_file.empty()) curl_easy_setopt(m_curl, CURLOPT_SSLCERT, m_request.cert_file.c_str());
    if (!m_request.key_file.empty()) curl_easy_setopt(m_curl, CURLOPT_SSLKEY, m_request.key_file.c_str());

    const std::string& m = m_request.method;
    bool has_body = m_request.reader || !m_request.body.empty() || m == "PUT" || m == "PATCH" || m == "POST";
    if (m == "HEAD") {
        curl_easy_setopt(m_curl, CURLOPT_NOBODY, 1L);
    } else if (has_body) {
        curl_easy_setopt(m_curl, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(m_curl, CURLOPT_READFUNCTION, &Easy::on_read);
        curl_easy_setopt(m_curl, CURLOPT_READDATA, this);
        std::int64_t size = m_request.reader ? m_request.body_size : static_cast<std::int64_t>(m_request.body.size());
        if (size >= 0) curl_easy_setopt(m_curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(size));
        if (m != "PUT") curl_easy_setopt(m_curl, CURLOPT_CUSTOMREQUEST, m.c_str());
        // No "Expect: 100-continue" round trip before every upload.
        m_headers = curl_slist_append(m_headers, "Expect:");
        curl_easy_setopt(m_curl, CURLOPT_UPLOAD_BUFFERSIZE, 512L * 1024);
    } else if (m != "GET") {
        curl_easy_setopt(m_curl, CURLOPT_CUSTOMREQUEST, m.c_str());
    }
    for (const auto& h : m_request.headers) m_headers = curl_slist_append(m_headers, h.c_str());
    if (m_headers) curl_easy_setopt(m_curl, CURLOPT_HTTPHEADER, m_headers);
    curl_easy_setopt(m_curl, CURLOPT_WRITEFUNCTION, &Easy::on_write);
    curl_easy_setopt(m_curl, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(m_curl, CURLOPT_HEADERFUNCTION, &Easy::on_header);
    curl_easy_setopt(m_curl, CURLOPT_HEADERDATA, this);
    curl_easy_setopt(m_curl, CURLOPT_BUFFERSIZE, 256L * 1024);
}

Easy::~Easy() {
    if (m_curl) curl_easy_cleanup(m_curl);
    if (m_headers) curl_slist_free_all(m_headers);
}

std::size_t Easy::on_read(char* buf, std::size_t size, std::size_t n, void* p) {
    auto* self = static_cast<Easy*>(p);
    std::size_t cap = size * n, got = 0;
    if (self->m_request.reader) {
        try {
            got = self->m_request.reader(buf, cap);
            if (got == read_pause) {
                self->m_paused = true;
                return CURL_READFUNC_PAUSE;
            }
        } catch (...) {
            self->reader_error = std::current_exception();
            return CURL_READFUNC_ABORT;
        }
    } else {
        const std::string& b = self->m_request.body;
        got = std::min(cap, b.size() - self->m_body_offset);
        std::memcpy(buf, b.data() + self->m_body_offset, got);
        self->m_body_offset += got;
    }
    self->m_uploaded += static_cast<std::int64_t>(got);
    return got;
}

std::size_t Easy::on_write(char* buf, std::size_t size, std::size_t n, void* p) {
    auto* self = static_cast<Easy*>(p);
    std::size_t len = size * n;
    // Only the final response's body counts; bodies of 100/3xx interim responses are discarded.
    if (self->m_request.sink && self->m_response.status >= 200 && self->m_response.status < 300)
        return self->m_request.sink(buf, len) ? len : 0;
    if (self->m_response.body.size() < (64u << 20)) self->m_response.body.append(buf, len);
    return len;
}

std::size_t Easy::on_header(char* buf, std::size_t size, std::size_t n, void* p) {
    auto* self = static_cast<Easy*>(p);
    std::string line(buf, size * n);
    if (starts_with(line, "HTTP/")) {  // a new response (after 100 Continue or a retry): start over
        self->m_response.headers.clear();
        auto sp = line.find(' ');
        if (sp != std::string::npos) self->m_response.status = std::atol(line.c_str() + sp + 1);
        return size * n;
    }
    auto colon = line.find(':');
    if (colon != std::string::npos)
        self->m_response.headers.emplace(to_lower(trim(line.substr(0, colon))), trim(line.substr(colon + 1)));
    return size * n;
}

Response Easy::finish(int code) {
    m_response.curl_code = code;
    if (code != 0) m_response.curl_error = m_error[0] ? m_error : curl_easy_strerror(static_cast<CURLcode>(code));
    else curl_easy_getinfo(m_curl, CURLINFO_RESPONSE_CODE, &m_response.status);
    return std::move(m_response);
}

void Easy::resume() {
    m_paused = false;
    curl_easy_pause(m_curl, CURLPAUSE_CONT);
}

Response Easy::perform() { return finish(curl_easy_perform(m_curl)); }

Multi::Multi() {
    ensure_global();
    m_multi = curl_multi_init();
    if (!m_multi) throw std::runtime_error("curl_multi_init failed");
    // Keep one connection per transfer instead of waiting to pipeline/multiplex on one.
    curl_multi_setopt(m_multi, CURLMOPT_PIPELINING, CURLPIPE_NOTHING);
    m_waker = std::make_shared<Waker>();
    m_waker->multi = m_multi;
}

Multi::~Multi() {
    {
        std::lock_guard lock(m_waker->mutex);  // a notifier running now finishes before cleanup
        m_waker->multi = nullptr;
    }
    curl_multi_cleanup(m_multi);
}

std::function<void()> Multi::notifier() {
    return [w = m_waker] {
        std::lock_guard lock(w->mutex);
        if (w->multi) curl_multi_wakeup(w->multi);
    };
}

void Multi::add(Easy& e) { curl_multi_add_handle(m_multi, e.handle()); }
void Multi::remove(Easy& e) { curl_multi_remove_handle(m_multi, e.handle()); }

void Multi::perform() {
    int running = 0;
    curl_multi_perform(m_multi, &running);
}

void Multi::wait(int timeout_ms) { curl_multi_poll(m_multi, nullptr, 0, timeout_ms, nullptr); }

std::optional<std::pair<CURL*, int>> Multi::next_done() {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(m_multi, &left))
        if (msg->msg == CURLMSG_DONE) return std::make_pair(msg->easy_handle, static_cast<int>(msg->data.result));
    return std::nullopt;
}

Response perform(Request request) {
    Easy e(std::move(request));
    Response r = e.perform();
    if (e.reader_error) std::rethrow_exception(e.reader_error);
    return r;
}

}  // namespace hoist::http
