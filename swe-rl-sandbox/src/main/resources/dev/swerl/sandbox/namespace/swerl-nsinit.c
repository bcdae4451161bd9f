/*
 * swerl-nsinit: makes one namespace sandbox and becomes its init, in one process instead of the dozens a
 * shell script needs. It does what RootSetup's script does, step for step, with system calls:
 *
 *   swerl-nsinit [--uid N --gid N] [--net] --merged DIR --lower DIRS --upper DIR --work DIR
 *                --workdir PATH --hostname NAME [--bind HOSTDIR]... --oldroot PATH
 *
 * As root it first becomes the unprivileged --uid/--gid; it then makes a user namespace mapping that user
 * to root, new mount, ipc, uts, pid (and, unless --net, net) namespaces, and forks. The child is pid 1 of
 * the new pid namespace: it mounts the overlay root, read-only binds, /proc, a minimal /dev and /tmp,
 * pivots into the root and detaches the old one, prints "ready", and reaps orphans until it is killed.
 * The parent waits for it, so that killing the parent's parent (the JVM) kills both (parent-death signal).
 * Any failure prints one line to stderr naming the step and exits 1 before "ready".
 *
 *   swerl-nsinit --enter PID [--uid N --gid N] [--net] [--cgroup FILE]... --cwd DIR -- COMMAND ARGS...
 *
 * runs COMMAND inside the sandbox whose init is PID, as nsenter would, in one process instead of three
 * (setsid, setpriv, nsenter): it starts a session, joins the given cgroups, becomes the sandbox user,
 * enters the user namespace and then the others, takes the sandbox's root and working directory, forks
 * (a pid namespace applies to children) and passes the command's exit status or signal on.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_BINDS 32

static void die(const char *step, const char *detail) {
  fprintf(stderr, "swerl-nsinit: %s%s%s: %s\n", step, detail ? " " : "", detail ? detail : "", strerror(errno));
  exit(1);
}

static void write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t) strlen(text)) die("write", path);
  close(fd);
}

static void mkdirs(const char *path, mode_t mode) {
  char buf[4096];
  if (snprintf(buf, sizeof buf, "%s", path) >= (int) sizeof buf) { errno = ENAMETOOLONG; die("mkdir", path); }
  for (char *p = buf + 1; *p; p++) {
    if (*p == '/') {
      *p = 0;
      if (mkdir(buf, mode) && errno != EEXIST) die("mkdir", buf);
      *p = '/';
    }
  }
  if (mkdir(buf, mode) && errno != EEXIST) die("mkdir", buf);
}

static char *join(const char *a, const char *b) {
  char *out;
  if (asprintf(&out, "%s%s", a, b) < 0) die("asprintf", NULL);
  return out;
}

/* A bind mount made read-only, keeping the flags the kernel locked on the source (nosuid, nodev, ...). */
static void bind_readonly(const char *source, const char *target) {
  if (mount(source, target, NULL, MS_BIND | MS_REC, NULL)) die("bind", source);
  struct statvfs st;
  if (statvfs(target, &st)) die("statvfs", target);
  unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY;
  if (st.f_flag & ST_NOSUID) flags |= MS_NOSUID;
  if (st.f_flag & ST_NODEV) flags |= MS_NODEV;
  if (st.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
  if (st.f_flag & ST_NOATIME) flags |= MS_NOATIME;
  if (st.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
  if (st.f_flag & ST_RELATIME) flags |= MS_RELATIME;
  if (mount(NULL, target, NULL, flags, NULL)) die("remount read-only", target);
}

static void wake(int signal) {
  (void) signal;
}

static void loopback_up(void) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    ioctl(fd, SIOCSIFFLAGS, &ifr);
  }
  close(fd);
}

static int enter(int argc, char **argv) {
  long uid = -1, gid = -1;
  int net = 0, ncgroups = 0, i = 1;
  const char *target = NULL, *cwd = "/";
  const char *cgroups[8];
  for (; i < argc && strcmp(argv[i], "--"); i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--net")) { net = 1; continue; }
    if (i + 1 >= argc) { fprintf(stderr, "swerl-nsinit: %s needs a value\n", a); return 125; }
    const char *v = argv[++i];
    if (!strcmp(a, "--enter")) target = v;
    else if (!strcmp(a, "--uid")) uid = atol(v);
    else if (!strcmp(a, "--gid")) gid = atol(v);
    else if (!strcmp(a, "--cwd")) cwd = v;
    else if (!strcmp(a, "--cgroup") && ncgroups < 8) cgroups[ncgroups++] = v;
    else { fprintf(stderr, "swerl-nsinit: unknown option %s\n", a); return 125; }
  }
  if (!target || i + 1 >= argc) { fprintf(stderr, "swerl-nsinit: --enter PID ... -- COMMAND\n"); return 125; }
  char **command = argv + i + 1;

  setsid(); /* the caller finds and kills the whole command through this session */
  char pid[32];
  snprintf(pid, sizeof pid, "%d\n", getpid());
  for (int c = 0; c < ncgroups; c++) write_file(cgroups[c], pid);
  if (uid >= 0) {
    if (setgroups(0, NULL)) die("setgroups", NULL);
    if (setresgid(gid, gid, gid)) die("setresgid", NULL);
    if (setresuid(uid, uid, uid)) die("setresuid", NULL);
  }
  static const char *kinds[] = {"user", "mnt", "ipc", "uts", "net", "pid"};
  int fds[6];
  for (int k = 0; k < 6; k++) {
    fds[k] = -1;
    if (k == 4 && !net) continue;
    char path[64];
    snprintf(path, sizeof path, "/proc/%s/ns/%s", target, kinds[k]);
    if ((fds[k] = open(path, O_RDONLY | O_CLOEXEC)) < 0) die("open", path);
  }
  char rootpath[64];
  snprintf(rootpath, sizeof rootpath, "/proc/%s/root", target);
  int root = open(rootpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) die("open", rootpath);
  for (int k = 0; k < 6; k++) {
    if (fds[k] >= 0 && setns(fds[k], 0)) die("enter namespace", kinds[k]);
  }
  if (fchdir(root) || chroot(".")) die("enter the root of", target);
  if (chdir(cwd)) die("chdir", cwd);

  pid_t child = fork();
  if (child < 0) die("fork", NULL);
  if (child == 0) {
    execvp(command[0], command);
    fprintf(stderr, "swerl-nsinit: cannot run %s: %s\n", command[0], strerror(errno));
    _exit(errno == ENOENT ? 127 : 126);
  }
  int status;
  while (waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) die("waitpid", NULL);
  }
  if (WIFSIGNALED(status)) {
    /* Die the same way, so that the caller reads 128 + signal as for any killed command. */
    signal(WTERMSIG(status), SIG_DFL);
    kill(getpid(), WTERMSIG(status));
    return 128 + WTERMSIG(status);
  }
  return WEXITSTATUS(status);
}

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "--enter")) return enter(argc, argv);
  long uid = -1, gid = -1;
  int net = 0, nbinds = 0;
  const char *merged = NULL, *lower = NULL, *upper = NULL, *work = NULL, *workdir = "/work", *hostname = "sandbox";
  const char *oldroot = "/dev/.swerl-oldroot";
  const char *binds[MAX_BINDS];
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--net")) { net = 1; continue; }
    if (!v) { fprintf(stderr, "swerl-nsinit: %s needs a value\n", a); return 2; }
    i++;
    if (!strcmp(a, "--uid")) uid = atol(v);
    else if (!strcmp(a, "--gid")) gid = atol(v);
    else if (!strcmp(a, "--merged")) merged = v;
    else if (!strcmp(a, "--lower")) lower = v;
    else if (!strcmp(a, "--upper")) upper = v;
    else if (!strcmp(a, "--work")) work = v;
    else if (!strcmp(a, "--workdir")) workdir = v;
    else if (!strcmp(a, "--hostname")) hostname = v;
    else if (!strcmp(a, "--oldroot")) oldroot = v;
    else if (!strcmp(a, "--bind") && nbinds < MAX_BINDS) binds[nbinds++] = v;
    else { fprintf(stderr, "swerl-nsinit: unknown or repeated option %s\n", a); return 2; }
  }
  if (!merged || !lower || !upper || !work) { fprintf(stderr, "swerl-nsinit: --merged, --lower, --upper and --work are required\n"); return 2; }

  if (uid >= 0) {
    /* Root outside never stays root: become the sandbox user before anything else. */
    if (setgroups(0, NULL)) die("setgroups", NULL);
    if (setresgid(gid, gid, gid)) die("setresgid", NULL);
    if (setresuid(uid, uid, uid)) die("setresuid", NULL);
    /* A uid change makes the process undumpable, which makes /proc/self root's: it could not map itself. */
    if (prctl(PR_SET_DUMPABLE, 1)) die("prctl", "dumpable");
  }
  /* Set after the uid change, which would clear it. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL)) die("prctl", NULL);
  if (getppid() == 1) return 1; /* the JVM already died */

  uid_t outer_uid = geteuid();
  gid_t outer_gid = getegid();
  if (unshare(CLONE_NEWUSER)) die("unshare", "user namespace");
  char map[64];
  snprintf(map, sizeof map, "0 %u 1\n", outer_uid);
  write_file("/proc/self/uid_map", map);
  write_file("/proc/self/setgroups", "deny");
  snprintf(map, sizeof map, "0 %u 1\n", outer_gid);
  write_file("/proc/self/gid_map", map);
  int flags = CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWPID | (net ? CLONE_NEWNET : 0);
  if (unshare(flags)) die("unshare", "mount/ipc/uts/pid/net namespaces");

  pid_t child = fork();
  if (child < 0) die("fork", NULL);
  if (child > 0) {
    /* The parent only waits: its exit status is the child's, so a setup failure reaches the JVM. */
    int status;
    while (waitpid(child, &status, 0) < 0) {
      if (errno != EINTR) die("waitpid", NULL);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  /* pid 1 of the sandbox from here on. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL)) die("prctl", NULL);
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) die("make mounts private", NULL);
  char *options;
  if (asprintf(&options, "lowerdir=%s,upperdir=%s,workdir=%s,userxattr", lower, upper, work) < 0) die("asprintf", NULL);
  if (mount("overlay", merged, "overlay", 0, options)) die("mount overlay on", merged);
  for (int i = 0; i < nbinds; i++) {
    char *target = join(merged, binds[i]);
    mkdirs(target, 0755);
    bind_readonly(binds[i], target);
    free(target);
  }
  char *proc = join(merged, "/proc"), *dev = join(merged, "/dev"), *tmp = join(merged, "/tmp");
  mkdirs(proc, 0555);
  mkdirs(dev, 0755);
  mkdirs(tmp, 01777);
  if (mount("proc", proc, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) die("mount proc on", proc);
  if (mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=65536k")) die("mount tmpfs on", dev);
  static const char *nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
  for (size_t i = 0; i < sizeof nodes / sizeof *nodes; i++) {
    char *host = join("/dev/", nodes[i]);
    char *target = join(dev, host + 4);
    int fd = open(target, O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
    if (fd < 0) die("create", target);
    close(fd);
    if (mount(host, target, NULL, MS_BIND, NULL)) die("bind", host);
    free(host);
    free(target);
  }
  static const char *links[][2] = {{"/proc/self/fd", "/fd"}, {"/proc/self/fd/0", "/stdin"},
                                   {"/proc/self/fd/1", "/stdout"}, {"/proc/self/fd/2", "/stderr"}};
  for (size_t i = 0; i < sizeof links / sizeof *links; i++) {
    char *target = join(dev, links[i][1]);
    if (symlink(links[i][0], target)) die("symlink", target);
    free(target);
  }
  char *shm = join(dev, "/shm"), *pts = join(dev, "/pts");
  mkdirs(shm, 01777);
  mkdirs(pts, 0755);
  if (mount("tmpfs", shm, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777")) die("mount tmpfs on", shm);
  if (mount("tmpfs", tmp, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777")) die("mount tmpfs on", tmp);
  char *wd = join(merged, workdir);
  mkdirs(wd, 0755);
  if (sethostname(hostname, strlen(hostname))) die("sethostname", hostname);
  if (net) loopback_up();

  char *old = join(merged, oldroot);
  mkdirs(old, 0700);
  if (chdir(merged)) die("chdir", merged);
  if (syscall(SYS_pivot_root, ".", old + strlen(merged) + 1)) die("pivot_root into", merged);
  if (chdir("/")) die("chdir", "/");
  if (umount2(oldroot, MNT_DETACH)) die("detach the old root at", oldroot);

  if (write(STDOUT_FILENO, "ready\n", 6) != 6) die("write ready", NULL);
  close(STDOUT_FILENO);
  int devnull = open("/dev/null", O_RDWR);
  if (devnull >= 0) dup2(devnull, STDOUT_FILENO);

  /*
   * The init: ignore what may be ignored, reap every orphan, and wait for SIGKILL. SIGCHLD stays blocked
   * except inside sigsuspend, so a child that dies between the reaping and the wait is not missed.
   */
  for (int s = 1; s < NSIG; s++) {
    if (s != SIGKILL && s != SIGSTOP && s != SIGCHLD) signal(s, SIG_IGN);
  }
  struct sigaction on_child;
  memset(&on_child, 0, sizeof on_child);
  on_child.sa_handler = wake;
  sigaction(SIGCHLD, &on_child, NULL);
  sigset_t blocked, waiting;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGCHLD);
  sigprocmask(SIG_BLOCK, &blocked, &waiting);
  sigdelset(&waiting, SIGCHLD);
  for (;;) {
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
    sigsuspend(&waiting);
  }
}
