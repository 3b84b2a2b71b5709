/*
 * Batched UDP I/O for Tyne (issue 16 §2): one UDP socket read with
 * recvmmsg(2) into a buffer shared with JavaScript, one JavaScript call per
 * batch that writes the replies into a second shared buffer, and one
 * sendmmsg(2) that sends them. Plain C on Node-API (node_api.h) and libuv
 * (uv.h), both shipped with Node's headers; Linux only (recvmmsg, sendmmsg).
 *
 * Shared memory, all owned by JavaScript (kept alive here by references):
 *   recv  slots x recvStride octets: datagram i at i * recvStride
 *   meta  slots x 32 octets: int32 length (-1: truncated, MSG_TRUNC), int32
 *         family (4 or 6), int32 port, then 16 octets of address (IPv4 in
 *         the first 4), 4 spare
 *   send  slots x sendStride octets: the reply to datagram i at i * sendStride
 *   slen  slots x int32: the reply's length, or -1 for no reply
 * The reply to datagram i goes to datagram i's source, from the address it
 * was sent to when the socket is bound to a wildcard address (IP_PKTINFO,
 * IPV6_RECVPKTINFO: RFC 3542 §6 for IPv6).
 *
 * A reply the kernel will not take (EAGAIN/ENOBUFS, full send buffer) keeps
 * the rest of the batch: reading stops, and once the socket is writable the
 * rest is sent again once; what still does not go is dropped and counted
 * (sendDropped). Nothing is dropped without a count.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#define MAX_SLOTS 64
/* Batches per wakeup before yielding to the event loop (TCP, timers). */
#define BUDGET 4
#define META 32
#define CTL_SPACE 128

enum {
  ST_RECEIVED, ST_SENT, ST_TRUNCATED, ST_SEND_RETRIED, ST_SEND_DROPPED, ST_SEND_ERRORS,
  ST_RECV_ERRORS, ST_BATCHES, ST_COUNT
};

typedef struct {
  napi_env env;
  int fd;
  int family;
  int pktinfo;
  int open;
  /* The poll handle's close has completed / the JavaScript handle was collected: freed when both. */
  int close_done;
  int finalized;
  int in_callback;
  int close_requested;
  uv_poll_t poll;
  int poll_events;
  napi_ref on_batch, on_error, recv_ref, meta_ref, send_ref, slen_ref;
  napi_async_context actx;
  uint8_t *recv;
  uint8_t *meta;
  uint8_t *send;
  int32_t *slen;
  uint32_t slots, recv_stride, send_stride;
  struct mmsghdr rmsg[MAX_SLOTS];
  struct mmsghdr smsg[MAX_SLOTS];
  struct iovec riov[MAX_SLOTS];
  struct iovec siov[MAX_SLOTS];
  struct sockaddr_storage addr[MAX_SLOTS];
  /* Where datagram i was sent to: has_dst[i] bit 1 = dst4[i] (IP_PKTINFO), bit 2 = dst6[i] (IPV6_PKTINFO). */
  struct in_pktinfo dst4[MAX_SLOTS];
  struct in6_pktinfo dst6[MAX_SLOTS];
  uint8_t has_dst[MAX_SLOTS];
  char rctl[MAX_SLOTS][CTL_SPACE];
  char sctl[MAX_SLOTS][CTL_SPACE];
  /* The part of the last batch waiting for the socket to be writable: smsg[pending_from, pending_to). */
  int pending_from, pending_to;
  double stats[ST_COUNT];
  /* Test hook: this many send attempts behave as if the send buffer were full. */
  int inject_full;
} batch_t;

#define CHECK(call)                                                     \
  do {                                                                  \
    if ((call) != napi_ok) {                                            \
      napi_throw_error(env, "UDP_BATCH_NAPI", "Node-API call failed: " #call); \
      return NULL;                                                      \
    }                                                                   \
  } while (0)

static void teardown(batch_t *b);

static void on_closed(uv_handle_t *h) {
  batch_t *b = h->data;
  b->close_done = 1;
  if (b->finalized) free(b);
}

/* Stops watching and closes the socket, with no JavaScript (environment teardown, or the handle collected). */
static void stop_quietly(batch_t *b) {
  if (!b->open) return;
  b->open = 0;
  uv_poll_stop(&b->poll);
  close(b->fd);
  b->fd = -1;
  uv_close((uv_handle_t *)&b->poll, on_closed);
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  batch_t *b = data;
  b->finalized = 1;
  if (b->open) stop_quietly(b);
  else if (b->close_done) free(b);
}

static void cleanup_hook(void *arg) {
  /* Environment teardown (a worker thread ending): no JavaScript any more. */
  stop_quietly(arg);
}

static void teardown(batch_t *b) {
  if (!b->open) return;
  napi_env env = b->env;
  b->open = 0;
  uv_poll_stop(&b->poll);
  close(b->fd);
  b->fd = -1;
  napi_remove_env_cleanup_hook(env, cleanup_hook, b);
  napi_delete_reference(env, b->on_batch);
  napi_delete_reference(env, b->on_error);
  napi_delete_reference(env, b->recv_ref);
  napi_delete_reference(env, b->meta_ref);
  napi_delete_reference(env, b->send_ref);
  napi_delete_reference(env, b->slen_ref);
  napi_async_destroy(env, b->actx);
  uv_close((uv_handle_t *)&b->poll, on_closed);
}

/* Calls a JavaScript function held by `ref` with one number; an exception goes to 'uncaughtException'. */
static void call_js(batch_t *b, napi_ref ref, double arg, const char *text) {
  napi_env env = b->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value fn, recv, argv[2], result;
  if (napi_get_reference_value(env, ref, &fn) == napi_ok && napi_get_global(env, &recv) == napi_ok &&
      napi_create_double(env, arg, &argv[0]) == napi_ok) {
    size_t argc = 1;
    if (text != NULL && napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &argv[1]) == napi_ok) argc = 2;
    b->in_callback = 1;
    napi_status st = napi_make_callback(env, b->actx, recv, fn, argc, argv, &result);
    b->in_callback = 0;
    if (st == napi_pending_exception) {
      napi_value err;
      if (napi_get_and_clear_last_exception(env, &err) == napi_ok) napi_fatal_exception(env, err);
    }
  }
  napi_close_handle_scope(env, scope);
}

static void report_errno(batch_t *b, int err, const char *syscall) {
  char text[128];
  snprintf(text, sizeof text, "%s %s", syscall, strerror(err));
  call_js(b, b->on_error, -err, text);
}

static void set_poll(batch_t *b, int events);

/* The reply's source address: the destination of the datagram it answers (RFC 3542 §6.1; ip(7) IP_PKTINFO). */
static void control_for(int family, int have, const struct in_pktinfo *d4, const struct in6_pktinfo *d6, char *buf, struct msghdr *h) {
  if (have == 0) {
    h->msg_control = NULL;
    h->msg_controllen = 0;
    return;
  }
  memset(buf, 0, CTL_SPACE);
  h->msg_control = buf;
  struct cmsghdr *c = (struct cmsghdr *)buf;
  if (family == AF_INET) {
    h->msg_controllen = CMSG_SPACE(sizeof(struct in_pktinfo));
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
    struct in_pktinfo p;
    memset(&p, 0, sizeof p);
    p.ipi_spec_dst = d4->ipi_addr;
    memcpy(CMSG_DATA(c), &p, sizeof p);
    return;
  }
  h->msg_controllen = CMSG_SPACE(sizeof(struct in6_pktinfo));
  c->cmsg_level = IPPROTO_IPV6;
  c->cmsg_type = IPV6_PKTINFO;
  c->cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
  struct in6_pktinfo p6;
  if (have & 2) {
    /* The interface too: a link-local source needs it. */
    p6 = *d6;
  } else {
    /* An IPv4 client of a dual-stack socket: its destination as an IPv4-mapped address (the kernel sends it as IPv4). */
    memset(&p6, 0, sizeof p6);
    p6.ipi6_addr.s6_addr[10] = 0xff;
    p6.ipi6_addr.s6_addr[11] = 0xff;
    memcpy(&p6.ipi6_addr.s6_addr[12], &d4->ipi_addr, 4);
    p6.ipi6_ifindex = (unsigned)d4->ipi_ifindex;
  }
  memcpy(CMSG_DATA(c), &p6, sizeof p6);
}

static void reply_control(batch_t *b, int i, struct msghdr *h) {
  control_for(b->family, b->pktinfo ? b->has_dst[i] : 0, &b->dst4[i], &b->dst6[i], b->sctl[i], h);
}

/*
 * A datagram's peer, kept by JavaScript for a reply sent later (a NOTIFY the
 * main thread answers, issue 16 §3): where it came from and where it was sent to.
 */
typedef struct {
  struct sockaddr_storage addr;
  uint32_t namelen;
  uint32_t has_dst;
  struct in_pktinfo dst4;
  struct in6_pktinfo dst6;
} peer_t;

/*
 * Sends smsg[from, to). Returns 1 when the rest must wait for the socket to
 * be writable (kept as pending), else 0. `retry`: this is the one retry, so
 * a full buffer now drops the rest.
 */
static int send_range(batch_t *b, int from, int to, int retry) {
  int i = from;
  while (i < to) {
    int n;
    if (b->inject_full > 0) {
      b->inject_full--;
      n = -1;
      errno = EAGAIN;
    } else {
      n = sendmmsg(b->fd, &b->smsg[i], (unsigned)(to - i), 0);
    }
    if (n > 0) {
      b->stats[ST_SENT] += n;
      i += n;
      continue;
    }
    int e = n == 0 ? EAGAIN : errno;
    if (e == EINTR) continue;
    if (e == EAGAIN || e == EWOULDBLOCK || e == ENOBUFS) {
      if (retry) {
        b->stats[ST_SEND_DROPPED] += to - i;
        return 0;
      }
      b->stats[ST_SEND_RETRIED] += to - i;
      b->pending_from = i;
      b->pending_to = to;
      return 1;
    }
    /* This one message failed (for example EPERM from a firewall): count it and go on with the rest. */
    b->stats[ST_SEND_ERRORS]++;
    i++;
  }
  return 0;
}

/* Builds the send list of the batch of `n` datagrams from the lengths JavaScript wrote. */
static int build_replies(batch_t *b, int n) {
  int k = 0;
  for (int i = 0; i < n; i++) {
    int32_t len = b->slen[i];
    if (len < 0 || (uint32_t)len > b->send_stride) continue;
    struct msghdr *h = &b->smsg[k].msg_hdr;
    b->siov[k].iov_base = b->send + (size_t)i * b->send_stride;
    b->siov[k].iov_len = (size_t)len;
    h->msg_iov = &b->siov[k];
    h->msg_iovlen = 1;
    h->msg_name = &b->addr[i];
    h->msg_namelen = b->rmsg[i].msg_hdr.msg_namelen;
    h->msg_flags = 0;
    reply_control(b, i, h);
    k++;
  }
  return k;
}

/* Copies the source address, the port and where it was sent to into the slot's meta. */
static void fill_meta(batch_t *b, int i) {
  uint8_t *m = b->meta + (size_t)i * META;
  struct msghdr *h = &b->rmsg[i].msg_hdr;
  int32_t len = (h->msg_flags & MSG_TRUNC) ? -1 : (int32_t)b->rmsg[i].msg_len;
  int32_t family = 0, port = 0;
  memset(m + 12, 0, 16);
  const struct sockaddr *sa = (const struct sockaddr *)&b->addr[i];
  if (sa->sa_family == AF_INET) {
    const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
    family = 4;
    port = ntohs(s4->sin_port);
    memcpy(m + 12, &s4->sin_addr, 4);
  } else if (sa->sa_family == AF_INET6) {
    const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
    family = 6;
    port = ntohs(s6->sin6_port);
    memcpy(m + 12, &s6->sin6_addr, 16);
  }
  memcpy(m, &len, 4);
  memcpy(m + 4, &family, 4);
  memcpy(m + 8, &port, 4);
  b->has_dst[i] = 0;
  if (!b->pktinfo) return;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c != NULL; c = CMSG_NXTHDR(h, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      memcpy(&b->dst4[i], CMSG_DATA(c), sizeof(struct in_pktinfo));
      b->has_dst[i] |= 1;
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      memcpy(&b->dst6[i], CMSG_DATA(c), sizeof(struct in6_pktinfo));
      b->has_dst[i] |= 2;
    }
  }
}

static void read_batches(batch_t *b, int events);

static void on_poll(uv_poll_t *handle, int status, int events) {
  batch_t *b = handle->data;
  if (!b->open) return;
  read_batches(b, status < 0 ? status : events);
  /* close() called from JavaScript inside a callback takes effect here. */
  if (b->open && b->close_requested) teardown(b);
}

static void read_batches(batch_t *b, int events) {
  int status = events < 0 ? events : 0;
  if (status < 0) {
    call_js(b, b->on_error, status, uv_strerror(status));
    return;
  }
  if (events & UV_WRITABLE) {
    if (b->pending_to > b->pending_from) send_range(b, b->pending_from, b->pending_to, 1);
    b->pending_from = b->pending_to = 0;
    set_poll(b, UV_READABLE);
  }
  if (!(events & UV_READABLE) || b->pending_to > b->pending_from) return;
  for (int round = 0; round < BUDGET && b->open; round++) {
    for (uint32_t i = 0; i < b->slots; i++) {
      struct msghdr *h = &b->rmsg[i].msg_hdr;
      h->msg_namelen = sizeof(struct sockaddr_storage);
      h->msg_controllen = b->pktinfo ? CTL_SPACE : 0;
      h->msg_flags = 0;
    }
    int n = recvmmsg(b->fd, b->rmsg, b->slots, MSG_DONTWAIT, NULL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        b->stats[ST_RECV_ERRORS]++;
        /* ECONNREFUSED and the like are ICMP news about an earlier send, not a reason to stop. */
        if (errno != ECONNREFUSED && errno != EHOSTUNREACH && errno != ENETUNREACH) report_errno(b, errno, "recvmmsg");
      }
      break;
    }
    if (n == 0) break;
    b->stats[ST_RECEIVED] += n;
    b->stats[ST_BATCHES]++;
    for (int i = 0; i < n; i++) {
      fill_meta(b, i);
      if (b->rmsg[i].msg_hdr.msg_flags & MSG_TRUNC) b->stats[ST_TRUNCATED]++;
      b->slen[i] = -1;
    }
    call_js(b, b->on_batch, n, NULL);
    if (!b->open || b->close_requested) return;
    int k = build_replies(b, n);
    if (k > 0 && send_range(b, 0, k, 0)) {
      set_poll(b, UV_WRITABLE);
      return;
    }
    if ((uint32_t)n < b->slots) break;
  }
}

static void set_poll(batch_t *b, int events) {
  if (!b->open || b->poll_events == events) return;
  b->poll_events = events;
  uv_poll_start(&b->poll, events, on_poll);
}

/* ---------------------------------------------------------------- JavaScript API */

static napi_value throw_errno(napi_env env, int err, const char *syscall, const char *where) {
  char msg[256];
  const char *code = uv_err_name(uv_translate_sys_error(err));
  snprintf(msg, sizeof msg, "%s %s %s", syscall, code, where);
  napi_value c, m, e, n, s;
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &c);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
  napi_create_error(env, c, m, &e);
  napi_create_int32(env, -err, &n);
  napi_set_named_property(env, e, "errno", n);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &s);
  napi_set_named_property(env, e, "syscall", s);
  napi_throw(env, e);
  return NULL;
}

static int typed_data(napi_env env, napi_value v, void **data, size_t *bytes) {
  napi_typedarray_type type;
  size_t length, offset;
  napi_value ab;
  if (napi_get_typedarray_info(env, v, &type, &length, data, &ab, &offset) != napi_ok) return 0;
  size_t size = type == napi_int32_array || type == napi_uint32_array ? 4 : type == napi_uint8_array ? 1 : 0;
  if (size == 0) return 0;
  *bytes = length * size;
  return 1;
}

static uint32_t get_u32(napi_env env, napi_value obj, const char *key, uint32_t dflt) {
  napi_value v;
  uint32_t x;
  bool has = false;
  if (napi_has_named_property(env, obj, key, &has) != napi_ok || !has) return dflt;
  if (napi_get_named_property(env, obj, key, &v) != napi_ok || napi_get_value_uint32(env, v, &x) != napi_ok) return dflt;
  return x;
}

static napi_value get_prop(napi_env env, napi_value obj, const char *key) {
  napi_value v = NULL;
  if (napi_get_named_property(env, obj, key, &v) != napi_ok) return NULL;
  return v;
}

/*
 * open({ host, port, family, slots, recvStride, sendStride, recv, meta, send, slen, onBatch, onError, rcvbuf, sndbuf })
 * -> { handle, port }. Throws an Error with code (EADDRINUSE, ...) and syscall as node:dgram's do.
 */
static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) {
    napi_throw_type_error(env, NULL, "open: options object expected");
    return NULL;
  }
  napi_value o = argv[0];
  char host[64];
  size_t hostLen = 0;
  napi_value hv = get_prop(env, o, "host");
  if (hv == NULL || napi_get_value_string_utf8(env, hv, host, sizeof host, &hostLen) != napi_ok) {
    napi_throw_type_error(env, NULL, "open: host must be a string");
    return NULL;
  }
  uint32_t port = get_u32(env, o, "port", 0);
  uint32_t family = get_u32(env, o, "family", 4);
  uint32_t slots = get_u32(env, o, "slots", MAX_SLOTS);
  uint32_t recv_stride = get_u32(env, o, "recvStride", 0);
  uint32_t send_stride = get_u32(env, o, "sendStride", 0);
  uint32_t rcvbuf = get_u32(env, o, "rcvbuf", 0);
  uint32_t sndbuf = get_u32(env, o, "sndbuf", 0);
  uint32_t reuse_port = get_u32(env, o, "reusePort", 0);
  if (slots < 1 || slots > MAX_SLOTS || recv_stride < 12 || send_stride < 12 || port > 65535 || (family != 4 && family != 6)) {
    napi_throw_range_error(env, NULL, "open: slots must be 1..64, strides at least 12, port 0..65535, family 4 or 6");
    return NULL;
  }
  napi_value recv_v = get_prop(env, o, "recv"), meta_v = get_prop(env, o, "meta"), send_v = get_prop(env, o, "send"),
             slen_v = get_prop(env, o, "slen"), batch_v = get_prop(env, o, "onBatch"), err_v = get_prop(env, o, "onError");
  void *recv, *meta, *send, *slen;
  size_t recv_n, meta_n, send_n, slen_n;
  if (!typed_data(env, recv_v, &recv, &recv_n) || !typed_data(env, meta_v, &meta, &meta_n) ||
      !typed_data(env, send_v, &send, &send_n) || !typed_data(env, slen_v, &slen, &slen_n) ||
      recv_n < (size_t)slots * recv_stride || meta_n < (size_t)slots * META || send_n < (size_t)slots * send_stride ||
      slen_n < (size_t)slots * 4 || ((uintptr_t)slen & 3) != 0 || ((uintptr_t)meta & 3) != 0) {
    napi_throw_range_error(env, NULL, "open: recv, meta, send and slen must be typed arrays of the sizes the slots need");
    return NULL;
  }
  napi_valuetype t1, t2;
  if (napi_typeof(env, batch_v, &t1) != napi_ok || napi_typeof(env, err_v, &t2) != napi_ok || t1 != napi_function || t2 != napi_function) {
    napi_throw_type_error(env, NULL, "open: onBatch and onError must be functions");
    return NULL;
  }

  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  socklen_t sslen;
  int wildcard;
  if (family == 4) {
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
    s4->sin_family = AF_INET;
    s4->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &s4->sin_addr) != 1) return throw_errno(env, EINVAL, "bind", host);
    wildcard = s4->sin_addr.s_addr == htonl(INADDR_ANY);
    sslen = sizeof *s4;
  } else {
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons((uint16_t)port);
    if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1) return throw_errno(env, EINVAL, "bind", host);
    wildcard = IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr);
    sslen = sizeof *s6;
  }
  int fd = socket(family == 4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, errno, "socket", host);
  int one = 1;
  if (wildcard) {
    /* An IPv6 socket bound to :: also takes IPv4 (as node:dgram's udp6 does); both kinds of PKTINFO are asked for. */
    int ok = family == 4 ? setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one)
                         : setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
    if (ok == 0 && family == 6) ok = setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
    if (ok != 0) {
      int e = errno;
      close(fd);
      return throw_errno(env, e, "setsockopt", host);
    }
  }
  if (rcvbuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf); /* capped by the kernel; not fatal */
  if (sndbuf > 0) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  /* One socket per serving thread on the same address (issue 16 §3): the kernel spreads datagrams by 4-tuple (socket(7)). */
  if (reuse_port && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
    int e = errno;
    close(fd);
    return throw_errno(env, e, "setsockopt", host);
  }
  if (bind(fd, (struct sockaddr *)&ss, sslen) != 0) {
    int e = errno;
    close(fd);
    char where[96];
    snprintf(where, sizeof where, family == 6 ? "[%s]:%u" : "%s:%u", host, port);
    return throw_errno(env, e, "bind", where);
  }
  struct sockaddr_storage bound;
  socklen_t blen = sizeof bound;
  getsockname(fd, (struct sockaddr *)&bound, &blen);
  uint32_t bound_port = ntohs(family == 4 ? ((struct sockaddr_in *)&bound)->sin_port : ((struct sockaddr_in6 *)&bound)->sin6_port);

  batch_t *b = calloc(1, sizeof *b);
  if (b == NULL) {
    close(fd);
    return throw_errno(env, ENOMEM, "open", host);
  }
  b->env = env;
  b->fd = fd;
  b->family = family == 4 ? AF_INET : AF_INET6;
  b->pktinfo = wildcard;
  b->slots = slots;
  b->recv_stride = recv_stride;
  b->send_stride = send_stride;
  b->recv = recv;
  b->meta = meta;
  b->send = send;
  b->slen = slen;
  for (uint32_t i = 0; i < slots; i++) {
    b->riov[i].iov_base = b->recv + (size_t)i * recv_stride;
    b->riov[i].iov_len = recv_stride;
    struct msghdr *h = &b->rmsg[i].msg_hdr;
    h->msg_name = &b->addr[i];
    h->msg_iov = &b->riov[i];
    h->msg_iovlen = 1;
    h->msg_control = wildcard ? b->rctl[i] : NULL;
  }
  napi_value name;
  if (napi_create_reference(env, batch_v, 1, &b->on_batch) != napi_ok || napi_create_reference(env, err_v, 1, &b->on_error) != napi_ok ||
      napi_create_reference(env, recv_v, 1, &b->recv_ref) != napi_ok || napi_create_reference(env, meta_v, 1, &b->meta_ref) != napi_ok ||
      napi_create_reference(env, send_v, 1, &b->send_ref) != napi_ok || napi_create_reference(env, slen_v, 1, &b->slen_ref) != napi_ok ||
      napi_create_string_utf8(env, "TyneUdpBatch", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_async_init(env, NULL, name, &b->actx) != napi_ok) {
    close(fd);
    free(b);
    napi_throw_error(env, "UDP_BATCH_NAPI", "open: Node-API references could not be made");
    return NULL;
  }
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || uv_poll_init(loop, &b->poll, fd) != 0) {
    close(fd);
    free(b);
    napi_throw_error(env, "UDP_BATCH_NAPI", "open: the socket could not be watched");
    return NULL;
  }
  b->poll.data = b;
  b->open = 1;
  napi_add_env_cleanup_hook(env, cleanup_hook, b);
  set_poll(b, UV_READABLE);

  napi_value result, handle, port_v;
  CHECK(napi_create_external(env, b, finalize, NULL, &handle));
  CHECK(napi_create_object(env, &result));
  CHECK(napi_create_uint32(env, bound_port, &port_v));
  CHECK(napi_set_named_property(env, result, "handle", handle));
  CHECK(napi_set_named_property(env, result, "port", port_v));
  return result;
}

static batch_t *handle_arg(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    napi_throw_type_error(env, NULL, "a socket handle is expected");
    return NULL;
  }
  void *p = NULL;
  if (napi_get_value_external(env, argv[0], &p) != napi_ok || p == NULL) {
    napi_throw_type_error(env, NULL, "a socket handle is expected");
    return NULL;
  }
  return p;
}

/* close(handle): idempotent; inside the batch callback it takes effect when the callback returns (no reply is sent). */
static napi_value js_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  batch_t *b = handle_arg(env, info, 1, argv);
  if (b == NULL) return NULL;
  if (b->in_callback) b->close_requested = 1;
  else teardown(b);
  return NULL;
}

/* stats(handle, Float64Array of 8): received, sent, truncated, send retried, send dropped, send errors, recv errors, batches. */
static napi_value js_stats(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  batch_t *b = handle_arg(env, info, 2, argv);
  if (b == NULL) return NULL;
  napi_typedarray_type type;
  size_t length, offset;
  void *data;
  napi_value ab;
  if (napi_get_typedarray_info(env, argv[1], &type, &length, &data, &ab, &offset) != napi_ok || type != napi_float64_array || length < ST_COUNT) {
    napi_throw_type_error(env, NULL, "stats: a Float64Array of 8 is expected");
    return NULL;
  }
  memcpy(data, b->stats, sizeof b->stats);
  return NULL;
}

/* argv[1] a slot of the batch and argv[2] a typed array of at least `min` octets. */
static int slot_and_bytes(napi_env env, batch_t *b, napi_value *argv, uint32_t *slot, void **data, size_t *bytes, size_t min) {
  return napi_get_value_uint32(env, argv[1], slot) == napi_ok && *slot < b->slots && typed_data(env, argv[2], data, bytes) && *bytes >= min;
}

/* Datagram slot's peer: its source, and the address it was sent to. */
static void peer_of(batch_t *b, uint32_t slot, peer_t *p) {
  memset(p, 0, sizeof *p);
  p->addr = b->addr[slot];
  p->namelen = b->rmsg[slot].msg_hdr.msg_namelen;
  p->has_dst = b->pktinfo ? b->has_dst[slot] : 0;
  p->dst4 = b->dst4[slot];
  p->dst6 = b->dst6[slot];
}

/* One reply outside the batch to peer p, from the address its datagram came to; counted: sent, dropped (send buffer full), or failed. */
static void send_to(batch_t *b, const peer_t *p, void *data, size_t bytes) {
  char ctl[CTL_SPACE];
  struct iovec iov = { .iov_base = data, .iov_len = bytes };
  struct msghdr h;
  memset(&h, 0, sizeof h);
  h.msg_name = (void *)&p->addr;
  h.msg_namelen = p->namelen;
  h.msg_iov = &iov;
  h.msg_iovlen = 1;
  control_for(b->family, (int)p->has_dst, &p->dst4, &p->dst6, ctl, &h);
  ssize_t n;
  do n = sendmsg(b->fd, &h, 0);
  while (n < 0 && errno == EINTR);
  if (n >= 0) b->stats[ST_SENT]++;
  else if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) b->stats[ST_SEND_DROPPED]++;
  else b->stats[ST_SEND_ERRORS]++;
}

/* sendOne(handle, slot, bytes): one reply too large for its send slot, to slot's source (from its destination). */
static napi_value js_send_one(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  batch_t *b = handle_arg(env, info, 3, argv);
  if (b == NULL) return NULL;
  uint32_t slot;
  void *data;
  size_t bytes;
  if (!slot_and_bytes(env, b, argv, &slot, &data, &bytes, 0)) {
    napi_throw_type_error(env, NULL, "sendOne: a slot and a Uint8Array are expected");
    return NULL;
  }
  if (!b->open) return NULL;
  peer_t p;
  peer_of(b, slot, &p);
  send_to(b, &p, data, bytes);
  return NULL;
}

/* peer(handle, slot, out): copies datagram slot's peer (peer_t) into out, for sendPeer later. */
static napi_value js_peer(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  batch_t *b = handle_arg(env, info, 3, argv);
  if (b == NULL) return NULL;
  uint32_t slot;
  void *data;
  size_t bytes;
  if (!slot_and_bytes(env, b, argv, &slot, &data, &bytes, sizeof(peer_t))) {
    napi_throw_type_error(env, NULL, "peer: a slot and a Uint8Array of peerBytes are expected");
    return NULL;
  }
  peer_t p;
  peer_of(b, slot, &p);
  memcpy(data, &p, sizeof p);
  return NULL;
}

/* sendPeer(handle, peer, bytes): one reply to a peer kept by `peer`, from the address its datagram was sent to. */
static napi_value js_send_peer(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  batch_t *b = handle_arg(env, info, 3, argv);
  if (b == NULL) return NULL;
  void *pd, *data;
  size_t pn, bytes;
  if (!typed_data(env, argv[1], &pd, &pn) || pn < sizeof(peer_t) || !typed_data(env, argv[2], &data, &bytes)) {
    napi_throw_type_error(env, NULL, "sendPeer: a peer and a Uint8Array are expected");
    return NULL;
  }
  if (!b->open) return NULL;
  peer_t p;
  memcpy(&p, pd, sizeof p);
  if (p.namelen > sizeof p.addr) {
    napi_throw_range_error(env, NULL, "sendPeer: not a peer from peer()");
    return NULL;
  }
  send_to(b, &p, data, bytes);
  return NULL;
}

/* testFullSendBuffer(handle, n): the next n send attempts find the send buffer full (for tests of the drop count). */
static napi_value js_test_full(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  batch_t *b = handle_arg(env, info, 2, argv);
  if (b == NULL) return NULL;
  int32_t n;
  if (napi_get_value_int32(env, argv[1], &n) != napi_ok) return NULL;
  b->inject_full = n < 0 ? 0 : n;
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL },
    { "close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL },
    { "stats", NULL, js_stats, NULL, NULL, NULL, napi_default, NULL },
    { "sendOne", NULL, js_send_one, NULL, NULL, NULL, napi_default, NULL },
    { "testFullSendBuffer", NULL, js_test_full, NULL, NULL, NULL, napi_default, NULL },
    { "peer", NULL, js_peer, NULL, NULL, NULL, napi_default, NULL },
    { "sendPeer", NULL, js_send_peer, NULL, NULL, NULL, napi_default, NULL },
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  napi_value v;
  if (napi_create_uint32(env, MAX_SLOTS, &v) == napi_ok) napi_set_named_property(env, exports, "maxSlots", v);
  if (napi_create_uint32(env, sizeof(peer_t), &v) == napi_ok) napi_set_named_property(env, exports, "peerBytes", v);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
