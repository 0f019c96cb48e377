#define _GNU_SOURCE
/* The ECS stand-in tests' container: a static HTTP/1.1 server small enough to
 * build and `podman import` in about a second, so the tests need no image
 * build. It answers like the service image on what the stand-in touches:
 *   GET /ping     200 "pong" (503 when PING_STATUS=503: an image that never
 *                 becomes healthy)
 *   GET /version  200 {"service":"tiny-server","commit":"$COMMIT"}
 *   anything else 404
 * on 0.0.0.0:$PORT, keep-alive, one forked process per connection; SIGTERM
 * (podman stop) exits at once with 0. */
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *env_or(const char *name, const char *fallback) {
  const char *value = getenv(name);
  return value && *value ? value : fallback;
}

static int write_all(int fd, const char *data, size_t size) {
  while (size > 0) {
    ssize_t n = write(fd, data, size);
    if (n <= 0) return -1;
    data += n;
    size -= (size_t)n;
  }
  return 0;
}

static int answer(int fd, const char *path, int keep_alive) {
  char body[512], head[256];
  int status = 404;
  snprintf(body, sizeof body, "not found\n");
  if (strcmp(path, "/ping") == 0) {
    status = atoi(env_or("PING_STATUS", "200"));
    snprintf(body, sizeof body, status == 200 ? "pong\n" : "unhealthy\n");
  } else if (strcmp(path, "/version") == 0) {
    status = 200;
    snprintf(body, sizeof body, "{\"service\":\"tiny-server\",\"commit\":\"%s\"}", env_or("COMMIT", "unknown"));
  }
  int n = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Length: %zu\r\nContent-Type: %s\r\n%s\r\n", status,
                   status == 200 ? "OK" : "Error", strlen(body), path[1] == 'v' ? "application/json" : "text/plain",
                   keep_alive ? "" : "Connection: close\r\n");
  if (write_all(fd, head, (size_t)n) != 0) return -1;
  return write_all(fd, body, strlen(body));
}

/* Serves one connection: requests without bodies, one after another. */
static void serve(int fd) {
  char buffer[8192];
  size_t used = 0;
  for (;;) {
    char *end = NULL;
    while ((end = memmem(buffer, used, "\r\n\r\n", 4)) == NULL) {
      if (used == sizeof buffer) return;
      ssize_t n = read(fd, buffer + used, sizeof buffer - used);
      if (n <= 0) return;
      used += (size_t)n;
    }
    *end = '\0';
    char path[1024] = "/";
    sscanf(buffer, "%*s %1023s", path);
    char *query = strchr(path, '?');
    if (query) *query = '\0';
    int keep_alive = strcasestr(buffer, "\r\nConnection: close") == NULL;
    if (answer(fd, path, keep_alive) != 0 || !keep_alive) return;
    size_t consumed = (size_t)(end - buffer) + 4;
    memmove(buffer, buffer + consumed, used - consumed);
    used -= consumed;
  }
}

static void on_term(int sig) {
  (void)sig;
  _exit(0);
}

int main(void) {
  signal(SIGTERM, on_term);
  signal(SIGCHLD, SIG_IGN);
  int listener = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(env_or("PORT", "8080")))};
  if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 128) != 0) {
    perror("tiny-server: listen");
    return 1;
  }
  fprintf(stderr, "tiny-server: listening on %s, commit %s\n", env_or("PORT", "8080"), env_or("COMMIT", "unknown"));
  for (;;) {
    int fd = accept(listener, NULL, NULL);
    if (fd < 0) continue;
    if (fork() == 0) {
      close(listener);
      serve(fd);
      _exit(0);
    }
    close(fd);
  }
}
