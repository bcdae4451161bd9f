package dev.swerl.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The Docker Engine API over its Unix socket, spoken directly: what a Java docker backend (docker-java,
 * Testcontainers) does, without the {@code docker} command line's own start-up on every call. It is the
 * fastest way to drive dockerd, so it is the fair peer for the namespace backend.
 *
 * <p>One HTTP/1.0 request per connection, which dockerd answers and then closes, so a response is read
 * to the end of the stream and needs no chunked decoding. Only the five calls a sandbox makes are here.
 *
 * <pre>{@code
 * DockerEngineApi api = new DockerEngineApi(DockerEngineApi.defaultSocket());
 * String id = api.startIdle();
 * api.execTrue(id);
 * api.remove(id);
 * }</pre>
 */
final class DockerEngineApi {
  /** API 1.41 is what Docker 20.10, the oldest engine in Debian 12, speaks. */
  private static final String VERSION = "/v1.41";
  private static final Pattern ID = Pattern.compile("\"Id\"\\s*:\\s*\"([0-9a-f]+)\"");
  private static final Pattern EXIT = Pattern.compile("\"ExitCode\"\\s*:\\s*(-?\\d+)");
  private static final Pattern RUNNING = Pattern.compile("\"Running\"\\s*:\\s*(true|false)");

  private final UnixDomainSocketAddress socket;

  DockerEngineApi(Path socket) {
    this.socket = UnixDomainSocketAddress.of(socket);
  }

  /** The socket {@code DOCKER_HOST} names when it is a {@code unix://} address, else {@code /var/run/docker.sock}. */
  static Path defaultSocket() {
    String host = System.getenv("DOCKER_HOST");
    return host != null && host.startsWith("unix://") ? Path.of(host.substring(7)) : Path.of("/var/run/docker.sock");
  }

  /** Why the engine cannot be used here, or empty when it answers. */
  Optional<String> unavailableReason() {
    if (!Files.exists(socket.getPath())) {
      return Optional.of("no Docker socket at " + socket.getPath() + ": start dockerd");
    }
    try {
      Response ping = call("GET", "/_ping", null);
      return ping.status() == 200 ? Optional.empty() : Optional.of("dockerd answered /_ping with " + ping.status());
    } catch (IOException e) {
      return Optional.of("cannot reach dockerd at " + socket.getPath() + ": " + e.getMessage());
    }
  }

  /** Creates and starts an idle container of the benchmark image, as {@code docker run -d} does. */
  String startIdle() throws IOException {
    String body = "{\"Image\":\"" + BusyboxRootfs.IMAGE + "\",\"Cmd\":[\"sleep\",\"2147483647\"],"
        + "\"Labels\":{\"swerl.bench\":\"1\"},\"NetworkDisabled\":true,\"HostConfig\":{\"NetworkMode\":\"none\"}}";
    String id = id(expect(call("POST", VERSION + "/containers/create", body), 201, "create"));
    expect(call("POST", VERSION + "/containers/" + id + "/start", null), 204, "start");
    return id;
  }

  /**
   * Runs {@code true} in a running container and waits for its exit code, as {@code docker exec} does:
   * create the exec, start it attached (the stream ends when the command does), then inspect it.
   */
  void execTrue(String container) throws IOException {
    String exec = id(expect(call("POST", VERSION + "/containers/" + container + "/exec",
        "{\"Cmd\":[\"true\"],\"AttachStdout\":true,\"AttachStderr\":true}"), 201, "exec create"));
    expect(call("POST", VERSION + "/exec/" + exec + "/start", "{\"Detach\":false,\"Tty\":false}"), 200, "exec start");
    // The stream can close a moment before dockerd records the exit; docker's own CLI inspects once.
    for (int attempt = 0; ; attempt++) {
      String inspect = expect(call("GET", VERSION + "/exec/" + exec + "/json", null), 200, "exec inspect");
      Matcher running = RUNNING.matcher(inspect);
      if (running.find() && running.group(1).equals("false")) {
        Matcher exit = EXIT.matcher(inspect);
        if (!exit.find() || !exit.group(1).equals("0")) {
          throw new IOException("exec of true in " + container + " did not exit 0: " + inspect);
        }
        return;
      }
      if (attempt > 1000) {
        throw new IOException("exec " + exec + " in " + container + " still running after its stream closed");
      }
      Thread.onSpinWait();
    }
  }

  /** Kills and removes a container, as {@code docker rm -f} does. */
  void remove(String container) throws IOException {
    expect(call("DELETE", VERSION + "/containers/" + container + "?force=true", null), 204, "remove");
  }

  /** A response: its status code and body. */
  record Response(int status, String body) {}

  Response call(String method, String path, @Nullable String json) throws IOException {
    byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
    String head = method + " " + path + " HTTP/1.0\r\nHost: docker\r\n"
        + (json == null ? "" : "Content-Type: application/json\r\n")
        + "Content-Length: " + body.length + "\r\n\r\n";
    try (SocketChannel channel = SocketChannel.open(socket)) {
      ByteBuffer out = ByteBuffer.allocate(head.length() + body.length);
      out.put(head.getBytes(StandardCharsets.US_ASCII)).put(body).flip();
      while (out.hasRemaining()) {
        channel.write(out);
      }
      byte[] raw;
      try (InputStream in = Channels.newInputStream(channel)) {
        raw = in.readAllBytes();
      }
      String text = new String(raw, StandardCharsets.ISO_8859_1);
      int space = text.indexOf(' ');
      int end = text.indexOf("\r\n\r\n");
      if (!text.startsWith("HTTP/1.") || space < 0 || end < 0) {
        throw new IOException("dockerd sent no HTTP response to " + method + " " + path + ": " + abbreviate(text));
      }
      int status = Integer.parseInt(text.substring(space + 1, space + 4));
      return new Response(status, new String(raw, end + 4, raw.length - end - 4, StandardCharsets.UTF_8));
    }
  }

  private static String expect(Response response, int status, String what) throws IOException {
    if (response.status() != status) {
      throw new IOException("docker " + what + " answered " + response.status() + ": " + abbreviate(response.body()));
    }
    return response.body();
  }

  private static String id(String body) throws IOException {
    Matcher m = ID.matcher(body);
    if (!m.find()) {
      throw new IOException("no Id in dockerd's answer: " + abbreviate(body));
    }
    return m.group(1);
  }

  private static String abbreviate(String text) {
    return text.length() > 300 ? text.substring(0, 300) + "..." : text;
  }
}
