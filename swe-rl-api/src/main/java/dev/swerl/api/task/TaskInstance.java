package dev.swerl.api.task;

import static org.apiguardian.api.API.Status.STABLE;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * One problem for an agent: a repository at a base commit with a bug described in words, and the tests
 * that decide whether a patch fixes it. The fields are SWE-bench's, plus the eval script and image that
 * swe-task-generator and SWE-Gym tasks carry, plus free-form metadata for anything else.
 *
 * <pre>{@code
 * TaskInstance task = TaskInstance.builder("octo__calc-1")
 *     .repo("octo/calc").baseCommit("4f2a...")
 *     .problemStatement("add() returns the wrong sign for negative numbers")
 *     .failToPass(List.of("tests/test_add.py::test_negative"))
 *     .evalScript("cd /testbed && python -m pytest tests/test_add.py")
 *     .build();
 * }</pre>
 *
 * @param instanceId unique id, for example {@code django__django-11099}
 * @param repo the repository, {@code owner/name}
 * @param baseCommit the commit the agent starts from
 * @param problemStatement the issue text the agent sees
 * @param patch the reference ("gold") patch, or empty when unknown
 * @param testPatch the patch that adds or changes the tests used for grading, or empty
 * @param hintsText SWE-bench's hints, or empty
 * @param createdAt creation time as the dataset gives it, or empty
 * @param version the environment version key (SWE-bench), or empty
 * @param environmentSetupCommit the commit used to build the environment, or empty
 * @param failToPass tests that fail before the fix and must pass after it
 * @param passToPass tests that pass before and must still pass after
 * @param evalScript a shell script whose exit status 0 means solved (swe-task-generator, SkyRL), or {@code null}
 * @param image the container image that holds the environment, or {@code null}
 * @param metadata anything else the dataset carries: values are strings, numbers, booleans, lists and maps
 */
@API(status = STABLE)
public record TaskInstance(
    String instanceId,
    String repo,
    String baseCommit,
    String problemStatement,
    String patch,
    String testPatch,
    String hintsText,
    String createdAt,
    String version,
    String environmentSetupCommit,
    List<String> failToPass,
    List<String> passToPass,
    @Nullable String evalScript,
    @Nullable String image,
    Map<String, Object> metadata) {

  public TaskInstance {
    if (instanceId.isBlank()) {
      throw new IllegalArgumentException("a task instance needs a non-blank instance id");
    }
    failToPass = List.copyOf(failToPass);
    passToPass = List.copyOf(passToPass);
    metadata = Map.copyOf(metadata);
  }

  public static Builder builder(String instanceId) {
    return new Builder(instanceId);
  }

  public Builder toBuilder() {
    Builder b = new Builder(instanceId);
    b.repo = repo;
    b.baseCommit = baseCommit;
    b.problemStatement = problemStatement;
    b.patch = patch;
    b.testPatch = testPatch;
    b.hintsText = hintsText;
    b.createdAt = createdAt;
    b.version = version;
    b.environmentSetupCommit = environmentSetupCommit;
    b.failToPass.addAll(failToPass);
    b.passToPass.addAll(passToPass);
    b.evalScript = evalScript;
    b.image = image;
    b.metadata.putAll(metadata);
    return b;
  }

  /** Builds a {@link TaskInstance}; text fields default to empty, lists and metadata to empty. */
  public static final class Builder {
    private final String instanceId;
    private String repo = "";
    private String baseCommit = "";
    private String problemStatement = "";
    private String patch = "";
    private String testPatch = "";
    private String hintsText = "";
    private String createdAt = "";
    private String version = "";
    private String environmentSetupCommit = "";
    private final List<String> failToPass = new ArrayList<>();
    private final List<String> passToPass = new ArrayList<>();
    private @Nullable String evalScript;
    private @Nullable String image;
    private final Map<String, Object> metadata = new LinkedHashMap<>();

    private Builder(String instanceId) {
      this.instanceId = instanceId;
    }

    public Builder repo(String value) { repo = value; return this; }
    public Builder baseCommit(String value) { baseCommit = value; return this; }
    public Builder problemStatement(String value) { problemStatement = value; return this; }
    public Builder patch(String value) { patch = value; return this; }
    public Builder testPatch(String value) { testPatch = value; return this; }
    public Builder hintsText(String value) { hintsText = value; return this; }
    public Builder createdAt(String value) { createdAt = value; return this; }
    public Builder version(String value) { version = value; return this; }
    public Builder environmentSetupCommit(String value) { environmentSetupCommit = value; return this; }
    public Builder evalScript(@Nullable String value) { evalScript = value; return this; }
    public Builder image(@Nullable String value) { image = value; return this; }

    /** Replaces the FAIL_TO_PASS list. */
    public Builder failToPass(List<String> value) {
      failToPass.clear();
      failToPass.addAll(value);
      return this;
    }

    /** Replaces the PASS_TO_PASS list. */
    public Builder passToPass(List<String> value) {
      passToPass.clear();
      passToPass.addAll(value);
      return this;
    }

    public Builder metadata(String key, Object value) {
      metadata.put(key, value);
      return this;
    }

    public TaskInstance build() {
      return new TaskInstance(instanceId, repo, baseCommit, problemStatement, patch, testPatch, hintsText, createdAt,
          version, environmentSetupCommit, failToPass, passToPass, evalScript, image, metadata);
    }
  }
}
