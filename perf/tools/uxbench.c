#define _GNU_SOURCE
// perf/tools/uxbench.c — a minimal keep-alive HTTP/1.1 load generator for Unix sockets and TCP (wrk cannot dial a
// Unix socket): N connections driven by poll(), one `GET /plaintext` in flight on each, responses counted by their
// length (learned from a first response, which must carry Content-Length); prints requests per second.
// Build: gcc -O2 -o /tmp/uxbench perf/tools/uxbench.c
// Use:   taskset -c 1 /tmp/uxbench unix:/path/app.sock 64 10     or     taskset -c 1 /tmp/uxbench tcp:5000 64 10
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
static const char req[] = "GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n";
static int dial(const char *target) {
  int fd;
  if (!strncmp(target, "unix:", 5)) {
    struct sockaddr_un a = {0}; a.sun_family = AF_UNIX; strncpy(a.sun_path, target + 5, sizeof a.sun_path - 1);
    fd = socket(AF_UNIX, SOCK_STREAM, 0); if (connect(fd, (void *)&a, sizeof a)) { perror("connect"); exit(1); }
  } else {
    struct sockaddr_in a = {0}; a.sin_family = AF_INET; a.sin_port = htons(atoi(target + 4)); a.sin_addr.s_addr = htonl(0x7f000001);
    fd = socket(AF_INET, SOCK_STREAM, 0); int one = 1; setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (void *)&a, sizeof a)) { perror("connect"); exit(1); }
  }
  return fd;
}
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
int main(int argc, char **argv) {
  int n = atoi(argv[2]); double secs = atof(argv[3]);
  int len; char buf[65536];
  { int fd = dial(argv[1]); write(fd, req, sizeof req - 1); int got = 0; // learn the response length
    while (1) { int r = read(fd, buf + got, sizeof buf - got); if (r <= 0) exit(1); got += r; buf[got] = 0;
      char *h = strstr(buf, "\r\n\r\n"); char *cl = strcasestr(buf, "Content-Length:");
      if (h && cl) { len = (h - buf) + 4 + atoi(cl + 15); if (got >= len) break; } }
    close(fd); }
  struct pollfd *p = calloc(n, sizeof *p); int *left = calloc(n, sizeof *left);
  for (int i = 0; i < n; i++) { p[i].fd = dial(argv[1]); p[i].events = POLLIN; write(p[i].fd, req, sizeof req - 1); left[i] = len; }
  long done = 0; double start = now(), end = start + secs;
  while (now() < end) {
    if (poll(p, n, 100) <= 0) continue;
    for (int i = 0; i < n; i++) if (p[i].revents & POLLIN) {
      int r = read(p[i].fd, buf, sizeof buf); if (r <= 0) { fprintf(stderr, "closed\n"); exit(1); }
      left[i] -= r;
      while (left[i] <= 0) { done++; left[i] += len; if (left[i] == len) write(p[i].fd, req, sizeof req - 1); else break; }
    }
  }
  printf("%.0f\n", done / (now() - start));
  return 0;
}
