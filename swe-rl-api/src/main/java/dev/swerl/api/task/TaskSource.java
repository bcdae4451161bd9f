package dev.swerl.api.task;

import static org.apiguardian.api.API.Status.STABLE;

import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apiguardian.api.API;

/**
 * Where task instances come from: a SWE-bench JSONL file, a directory of generated tasks, a synthetic suite.
 *
 * <p>A source never fails a whole run for one bad row: it reports a {@link TaskProblem} and skips it.
 *
 * <pre>{@code
 * List<TaskProblem> problems = new ArrayList<>();
 * try (Stream<TaskInstance> tasks = source.tasks(problems::add)) {
 *   tasks.limit(10).forEach(this::rollout);
 * }
 * problems.forEach(p -> log.warning(p.toString()));
 * }</pre>
 */
@API(status = STABLE)
public interface TaskSource {

  /** Where this source reads from, for messages (a path, a URL, "synthetic suite seed=7"). */
  String describe();

  /**
   * The instances, read lazily; close the stream to release what it reads from.
   *
   * @param onProblem receives each row that was skipped, with its location
   * @throws TaskException when the source as a whole cannot be read (for example the file is missing)
   */
  Stream<TaskInstance> tasks(Consumer<? super TaskProblem> onProblem);

  /** Every instance, reporting skipped rows to the {@link System.Logger} of this interface. */
  default List<TaskInstance> load() {
    System.Logger log = System.getLogger(TaskSource.class.getName());
    try (Stream<TaskInstance> tasks = tasks(problem -> log.log(System.Logger.Level.WARNING, "skipped " + problem))) {
      return tasks.toList();
    }
  }
}
