package io.nomadcamel.jobs.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A stand-in for the docker CLI and its daemon on a node (no Docker engine runs here), as faithful as the jobs need:
 * <ul>
 *   <li>{@code docker run [--rm] --name N [-v ...] IMAGE ARGS}: starts the image's program as a container, detached
 *   from the caller's session and process group ({@code setsid}), as a daemon would; the client stays attached,
 *   relays SIGTERM/SIGINT to the container ({@code --sig-proxy}, docker's default; a SIGKILL cannot be relayed),
 *   prints its output when it ends and exits with its exit code. A name in use is refused (exit 125). An image is a
 *   program registered with {@link #image}.</li>
 *   <li>{@code docker rm -f N}: SIGKILLs the container's process group, waits until it is gone, removes it;
 *   "No such container" (exit 1) if there is none.</li>
 *   <li>{@code docker inspect N}: exit 0 with a JSON array while the container exists; {@code []}, "Error: No such
 *   object: N" and exit 1 once it is gone.</li>
 * </ul>
 * Every call is appended to {@link #calls()} (the test may add its own lines with {@link #note}, so one file orders
 * both). {@link #failRemove} makes {@code docker rm} fail as a daemon that cannot kill the container does.
 */
public final class FakeDocker implements AutoCloseable {

    private final Path dir;

    public FakeDocker(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir.resolve("images"));
            Files.createDirectories(dir.resolve("state"));
            Files.createDirectories(dir.resolve("results"));
            write(dir.resolve("docker"), cliScript());
            write(dir.resolve("container-init"), String.join("\n",
                    "#!/bin/sh",
                    "# a container's first process: leader of its own session and process group, as under a daemon",
                    "st=$1; res=$2; rm=$3; shift 3",
                    "echo $$ > \"$st/pid\"",
                    "\"$@\" > \"$res/out\" 2> \"$res/err\" < /dev/null",
                    "code=$?",
                    "echo \"$code\" > \"$st/exit\"",
                    "echo \"$code\" > \"$res/exit\"",
                    "[ \"$rm\" = 1 ] && rm -rf \"$st\"",
                    "exit 0",
                    ""));
            Files.writeString(dir.resolve("calls.log"), "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The CLI, for DOCKER_BIN and command templates. */
    public Path cli() {
        return dir.resolve("docker");
    }

    /** Registers an image: {@code docker run ... <image> ARGS} runs this shell script with ARGS. */
    public void image(String image, String script) throws IOException {
        write(dir.resolve("images").resolve(image.replace('/', '_').replace(':', '_')), script);
    }

    /** Every call so far, one line each ({@code docker rm -f ncj-maint-3}), with the test's notes, in order. */
    public List<String> calls() {
        try {
            return Files.readAllLines(dir.resolve("calls.log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds a line of the test's own to the call log (e.g. when Nomad was asked to scale up). */
    public synchronized void note(String line) {
        try {
            Files.writeString(dir.resolve("calls.log"), line + "\n", StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** While true, {@code docker rm} fails (exit 1, the daemon's "could not kill" error) and removes nothing. */
    public void failRemove(boolean fail) throws IOException {
        Files.writeString(dir.resolve("faults"), fail ? "rm-fails\n" : "");
    }

    /** Containers that exist and have not exited. */
    public List<String> running() {
        List<String> names = new ArrayList<>();
        try (Stream<Path> containers = Files.list(dir.resolve("state"))) {
            containers.filter(c -> !Files.exists(c.resolve("exit"))).forEach(c -> names.add(c.getFileName()
                    .toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    /** Kills and forgets every container, clears faults and the call log. */
    public void reset() throws IOException {
        killAll();
        failRemove(false);
        Files.writeString(dir.resolve("calls.log"), "");
    }

    @Override
    public void close() {
        killAll();
    }

    private void killAll() {
        try (Stream<Path> containers = Files.list(dir.resolve("state"))) {
            for (Path c : containers.toList()) {
                Path pid = c.resolve("pid");
                if (Files.exists(pid)) {
                    long leader = Long.parseLong(Files.readString(pid).trim());
                    ProcessHandle.allProcesses().filter(p -> groupOf(p.pid()) == leader)
                            .forEach(ProcessHandle::destroyForcibly);
                }
                TempDirs.delete(c);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long groupOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[2]); // state, ppid, pgrp
        } catch (IOException | RuntimeException gone) {
            return -1;
        }
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private String cliScript() {
        return String.join("\n",
                "#!/bin/sh",
                "# test stand-in for the docker CLI and daemon (FakeDocker.java)",
                "base='" + dir + "'",
                "state=\"$base/state\"; results=\"$base/results\"",
                "echo \"docker $*\" >> \"$base/calls.log\"",
                "fault() { grep -qx \"$1\" \"$base/faults\" 2>/dev/null; }",
                // a killed process stays a zombie until reaped: gone for our purpose
                "alive() { ps -e -o pgid=,stat= | awk -v g=\"$1\" '$1 == g && $2 !~ /^Z/ { f = 1 } END { exit !f }'; }",
                "cmd=$1; [ $# -gt 0 ] && shift",
                "case \"$cmd\" in",
                "run)",
                "  rm=0; name=''",
                "  while [ $# -gt 0 ]; do",
                "    case \"$1\" in",
                "      --rm) rm=1; shift ;;",
                "      --name) name=$2; shift 2 ;;",
                "      --name=*) name=${1#--name=}; shift ;;",
                "      -v|--volume|-e|--env|-w|--workdir|-u|--user|--network|--entrypoint) shift 2 ;;",
                "      -*) shift ;;",
                "      *) break ;;",
                "    esac",
                "  done",
                "  image=$1; shift",
                "  [ -n \"$name\" ] || name=\"fake_$$\"",
                "  if [ -e \"$state/$name\" ]; then",
                "    echo \"docker: Error response from daemon: Conflict. The container name \\\"/$name\\\" is already in"
                        + " use. You have to remove (or rename) that container to be able to reuse that name.\" >&2",
                "    exit 125",
                "  fi",
                "  entry=\"$base/images/$(printf '%s' \"$image\" | tr '/:' '__')\"",
                "  if [ ! -x \"$entry\" ]; then",
                "    echo \"Unable to find image '$image' locally\" >&2",
                "    echo \"docker: Error response from daemon: pull access denied for ${image%%:*}, repository does not"
                        + " exist or may require 'docker login'.\" >&2",
                "    exit 125",
                "  fi",
                "  mkdir -p \"$state/$name\"; rm -rf \"$results/$name\"; mkdir -p \"$results/$name\"",
                "  setsid -f \"$base/container-init\" \"$state/$name\" \"$results/$name\" \"$rm\" \"$entry\" \"$@\""
                        + " < /dev/null > /dev/null 2>&1",
                "  trap 'p=$(cat \"$state/$name/pid\" 2>/dev/null) && kill -TERM -\"$p\" 2>/dev/null' TERM INT",
                "  while [ ! -e \"$results/$name/exit\" ]; do sleep 0.2; done",
                "  cat \"$results/$name/out\" 2>/dev/null; cat \"$results/$name/err\" >&2 2>/dev/null",
                "  exit \"$(cat \"$results/$name/exit\")\"",
                "  ;;",
                "rm)",
                "  force=0; names=''",
                "  for a; do case \"$a\" in -f|--force) force=1 ;; -*) ;; *) names=\"$names $a\" ;; esac; done",
                "  code=0",
                "  for name in $names; do",
                "    if fault rm-fails; then",
                "      echo \"Error response from daemon: cannot remove container \\\"/$name\\\": could not kill: tried to"
                        + " kill container, but did not receive an exit event\" >&2",
                "      code=1; continue",
                "    fi",
                "    if [ ! -d \"$state/$name\" ]; then",
                "      echo \"Error response from daemon: No such container: $name\" >&2; code=1; continue",
                "    fi",
                "    if [ ! -e \"$state/$name/exit\" ] && [ $force = 0 ]; then",
                "      echo \"Error response from daemon: cannot remove container \\\"/$name\\\": container is running:"
                        + " stop the container before removing or force remove\" >&2",
                "      code=1; continue",
                "    fi",
                "    i=0; while [ ! -s \"$state/$name/pid\" ] && [ $i -lt 20 ]; do sleep 0.1; i=$((i+1)); done",
                "    p=$(cat \"$state/$name/pid\" 2>/dev/null)",
                "    if [ -n \"$p\" ] && [ ! -e \"$state/$name/exit\" ]; then",
                "      kill -KILL -\"$p\" 2>/dev/null",
                "      i=0; while alive \"$p\" && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done",
                "      [ -e \"$results/$name/exit\" ] || echo 137 > \"$results/$name/exit\"",
                "    fi",
                "    rm -rf \"$state/$name\"",
                "    echo \"$name\"",
                "  done",
                "  exit $code",
                "  ;;",
                "inspect)",
                "  name=''",
                "  for a; do case \"$a\" in -*) ;; *) name=$a ;; esac; done",
                "  if [ -d \"$state/$name\" ]; then",
                "    if [ -e \"$state/$name/exit\" ]; then s=exited; r=false; else s=running; r=true; fi",
                "    printf '[{\"Name\":\"/%s\",\"State\":{\"Status\":\"%s\",\"Running\":%s,\"Pid\":%s}}]\\n' \"$name\" "
                        + "\"$s\" \"$r\" \"$(cat \"$state/$name/pid\" 2>/dev/null || echo 0)\"",
                "    exit 0",
                "  fi",
                "  echo '[]'; echo \"Error: No such object: $name\" >&2; exit 1",
                "  ;;",
                "*)",
                "  echo \"docker: '$cmd' is not a docker command.\" >&2; exit 1 ;;",
                "esac",
                "");
    }
}
