package io.raftlog.examples.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser (headless Chromium through chromedriver), used as a person would:
 * it clicks the page's buttons and links and reads what the page shows. Needs Debian's
 * {@code chromium} and {@code chromium-driver} ({@code .ci/run} installs them when missing).
 */
class ConsoleBrowserIT {
    private static final Path CHROMIUM = Path.of(System.getProperty("raftlog.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER =
            Path.of(System.getProperty("raftlog.chromedriver", "/usr/bin/chromedriver"));
    private static final Duration WAIT = Duration.ofSeconds(60);

    private ConsoleServer console;
    private WebDriver browser;

    @BeforeEach
    void open(@TempDir Path profile) throws Exception {
        assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
                .as("the console's browser test needs Chromium at " + CHROMIUM + " and chromedriver at "
                        + CHROMEDRIVER + ": apt-get install chromium chromium-driver (.ci/run does), or name"
                        + " them with -Draftlog.chromium= and -Draftlog.chromedriver=")
                .isTrue();
        console = ConsoleServer.start(0, 3, 3);
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM.toFile())
                .addArguments(
                        "--headless=new",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-dev-shm-usage",
                        "--no-first-run",
                        "--window-size=1440,900",
                        "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
        browser.get(console.address().toString());
    }

    @AfterEach
    void close() {
        if (browser != null) {
            browser.quit();
        }
        if (console != null) {
            console.close();
        }
    }

    @Test
    void aPersonElectsBreaksRepairsStepsAndExportsARunFromThePage(@TempDir Path exported) throws Exception {
        assertThat(browser.getTitle()).isEqualTo("Raft console · raftlog");
        await(
                "the page draws the cluster",
                b -> cards().size() == 3 && text("verdict").equals("All invariants hold"));

        // Play at full speed until a leader is elected, then pause.
        setSpeed(100);
        click("play");
        String leader = await("a leader is elected", b -> leader());
        click("play");
        await("paused", b -> "false".equals(browser.findElement(By.id("play")).getAttribute("data-playing")));
        String follower = cards().stream()
                .map(card -> card.getAttribute("data-node"))
                .filter(id -> !id.equals(leader))
                .findFirst()
                .orElseThrow();

        // One event is one step of the simulator.
        long before = Long.parseLong(text("step"));
        click("step-event");
        await("one more step", b -> Long.parseLong(text("step")) == before + 1);

        // Cut the link from the leader to the follower by clicking its arrow; restore it.
        WebElement link = browser.findElement(
                By.cssSelector("#links g[data-from='" + leader + "'][data-to='" + follower + "'] .link-hit"));
        link.click();
        await(
                "the link is drawn cut",
                b -> link.findElement(By.xpath("..")).getAttribute("class").contains("is-cut"));
        link.click();
        await(
                "the link is restored",
                b -> !link.findElement(By.xpath("..")).getAttribute("class").contains("is-cut"));

        // Send a record to the follower: redirected to the leader, committed on every node.
        WebElement card = card(follower);
        card.findElement(By.className("record-text")).sendKeys("hello");
        card.findElement(By.cssSelector("[data-action='append']")).click();
        click("play");
        await(
                "hello is committed on every node",
                b -> cards().stream()
                        .allMatch(each -> !each.findElements(By.cssSelector(".log .entry.committed[title*='hello']"))
                                .isEmpty()));
        showOnly("action", "client", "disk");
        await(
                "the history shows the redirect",
                b -> timelineTexts().stream().anyMatch(text -> text.startsWith("redirect: " + follower)));

        // Stop the leader: another is elected.
        card(leader).findElement(By.cssSelector("[data-action='stop']")).click();
        await("the stopped node is drawn down", b -> role(leader).equals("down"));
        String second = await("another leader", b -> {
            String now = leader();
            return now != null && !now.equals(leader) ? now : null;
        });

        // Corrupt a stored entry of a follower (click it in the log, then Corrupt), read it: the
        // checksum catches it and the entry is repaired from a peer.
        String victim = cards().stream()
                .map(each -> each.getAttribute("data-node"))
                .filter(id -> !id.equals(leader) && !id.equals(second))
                .findFirst()
                .orElseThrow();
        WebElement victimCard = card(victim);
        await("entry 2 is chosen by clicking it", b -> {
            victimCard
                    .findElement(By.cssSelector(".log .entry[data-index='2']"))
                    .click();
            return victimCard
                    .findElement(By.className("entry-index"))
                    .getDomProperty("value")
                    .equals("2");
        });
        victimCard.findElement(By.cssSelector("[data-action='corrupt']")).click();
        victimCard.findElement(By.cssSelector("[data-action='read']")).click();
        await(
                "the corruption is caught",
                b -> timelineTexts().stream().anyMatch(text -> text.startsWith(victim + " found entry 2 corrupt")));
        await(
                "the entry is repaired",
                b -> victimCard
                                .findElement(By.className("disk"))
                                .getDomProperty("textContent")
                                .equals("disk healthy")
                        && victimCard
                                .findElements(By.cssSelector(".log .entry.damaged"))
                                .isEmpty());
        click("play");
        await("paused", b -> "false".equals(browser.findElement(By.id("play")).getAttribute("data-playing")));
        assertThat(text("verdict")).isEqualTo("All invariants hold");

        // Export: the dialog shows a test that compiles and replays the run.
        click("export");
        WebElement dialog = browser.findElement(By.id("export-dialog"));
        await("the export dialog opens", b -> dialog.isDisplayed());
        String source = browser.findElement(By.id("export-code")).getText();
        String className = browser.findElement(By.id("export-download"))
                .getAttribute("download")
                .replace(".java", "");
        assertThat(source).contains("public class " + className, "\"corrupt\", \"" + victim + "\", \"2\"");
        ExportedTests.compileAndRun(source, className, exported);
        dialog.findElement(By.className("close")).click();

        // Go back in history by clicking an earlier row of the timeline: the run replays to it.
        WebElement row = browser.findElements(By.cssSelector("#timeline tr[data-kind='action']"))
                .get(0);
        String step = row.getAttribute("data-step");
        row.click();
        await("the page shows the earlier step", b -> text("step").equals(step));
    }

    // ------------------------------------------------------------------ reading and using the page

    private <T> T await(String what, Function<WebDriver, T> condition) {
        return new WebDriverWait(browser, WAIT)
                .ignoring(StaleElementReferenceException.class) // the page redraws as the state streams in
                .withMessage(() -> what + "; the page shows: "
                        + browser.findElement(By.tagName("body")).getText())
                .until(driver -> {
                    T value = condition.apply(driver);
                    return Boolean.FALSE.equals(value) ? null : value;
                });
    }

    private void click(String id) {
        browser.findElement(By.id(id)).click();
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    private void setSpeed(int percent) {
        WebElement speed = browser.findElement(By.id("speed"));
        ((JavascriptExecutor) browser)
                .executeScript(
                        "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'));",
                        speed,
                        percent);
        await("the speed is set", b -> text("speed-label").equals("2×"));
    }

    private List<WebElement> cards() {
        return browser.findElements(By.cssSelector("#cards article[data-node]"));
    }

    private WebElement card(String id) {
        return browser.findElement(By.cssSelector("#cards article[data-node='" + id + "']"));
    }

    private String role(String id) {
        return card(id).findElement(By.className("role")).getDomProperty("textContent");
    }

    /** The node whose card says leader, or null. */
    private String leader() {
        return cards().stream()
                .filter(card -> card.findElement(By.className("role"))
                        .getDomProperty("textContent")
                        .equals("leader"))
                .map(card -> card.getAttribute("data-node"))
                .findFirst()
                .orElse(null);
    }

    /** The texts of the history's rows, newest first, read in one go while the page redraws. */
    @SuppressWarnings("unchecked")
    private List<String> timelineTexts() {
        return (List<String>) ((JavascriptExecutor) browser)
                .executeScript("return [...document.querySelectorAll('#timeline td.x')].map(td => td.textContent);");
    }

    /** Ticks the history's kind filters so that it shows only {@code kinds}. */
    private void showOnly(String... kinds) {
        List<String> wanted = List.of(kinds);
        for (WebElement box : browser.findElements(By.cssSelector("#filter-kinds input[type=checkbox]"))) {
            if (box.isSelected() != wanted.contains(box.getAttribute("value"))) {
                box.click();
            }
        }
        await("the history shows only " + wanted, b -> {
            @SuppressWarnings("unchecked")
            List<String> shown = (List<String>) ((JavascriptExecutor) browser)
                    .executeScript("return [...document.querySelectorAll('#timeline tr')].map(tr => tr.dataset.kind);");
            return !shown.isEmpty() && wanted.containsAll(shown);
        });
    }
}
