package io.nomadcamel.jobs.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium driven through Debian's chromedriver (Selenium), headless, with a throwaway profile. Both paths
 * are given to Selenium, so it never runs Selenium Manager or downloads a browser or driver. A missing package
 * fails the test with the package to install.
 */
public final class ChromiumBrowser implements AutoCloseable {

    private final ChromeDriverService service;
    private final ChromeDriver driver;
    private final Path profile;

    private ChromiumBrowser(ChromeDriverService service, ChromeDriver driver, Path profile) {
        this.service = service;
        this.driver = driver;
        this.profile = profile;
    }

    public static ChromiumBrowser start() {
        Path chromium = Programs.require("chromium", "chromium");
        Path chromedriver = Programs.require("chromedriver", "chromium-driver");
        Path profile = TempDirs.create("chromium-profile");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.toFile())
                .usingAnyFreePort()
                .withLogFile(profile.resolve("chromedriver.log").toFile())
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        // headless as root in a container: no sandbox, no GPU, no /dev/shm, no calls home, a fresh profile
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync",
                "--disable-extensions", "--disable-default-apps", "--no-default-browser-check",
                "--disable-client-side-phishing-detection", "--disable-domain-reliability",
                "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
                "--window-size=1400,1000", "--user-data-dir=" + profile.resolve("data"));
        // the page's console messages, so tests can see script errors and Content-Security-Policy refusals
        options.setCapability("goog:loggingPrefs", java.util.Map.of("browser", "ALL"));
        try {
            service.start();
            return new ChromiumBrowser(service, new ChromeDriver(service, options), profile);
        } catch (IOException e) {
            service.stop();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            service.stop();
            throw new IllegalStateException("Chromium did not start through " + chromedriver + ": " + e.getMessage()
                    + "\nchromedriver log:\n" + log(profile), e);
        }
    }

    private static String log(Path profile) {
        try {
            return Files.readString(profile.resolve("chromedriver.log"));
        } catch (IOException e) {
            return "(none)";
        }
    }

    public ChromeDriver driver() {
        return driver;
    }

    public void open(String url) {
        driver.get(url);
    }

    /** Waits until {@code condition} holds; elements replaced or not there yet only mean "not yet". */
    public void await(String what, Duration timeout, Supplier<Boolean> condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (Boolean.TRUE.equals(condition.get())) {
                    return;
                }
            } catch (StaleElementReferenceException | NoSuchElementException e) {
                last = e;
            }
            Ports.sleep(100);
        }
        throw new AssertionError("Not seen within " + timeout + ": " + what + "\nURL " + driver.getCurrentUrl()
                + "\npage text:\n" + bodyText(), last);
    }

    public void await(String what, Supplier<Boolean> condition) {
        await(what, Duration.ofSeconds(15), condition);
    }

    /** The text of the first element matching {@code css}, or "" when there is none. */
    public String text(String css) {
        List<WebElement> found = driver.findElements(By.cssSelector(css));
        return found.isEmpty() ? "" : found.get(0).getText();
    }

    public List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /** Clicks the element matching {@code css}, finding it again when the page re-rendered it meanwhile. */
    public void click(String css) {
        click(By.cssSelector(css));
    }

    /** Clicks the first element {@code locator} finds, e.g. {@code By.xpath} for a button known by its text. */
    public void click(By locator) {
        await("a clickable " + locator, () -> {
            List<WebElement> found = driver.findElements(locator);
            if (found.isEmpty() || !found.get(0).isDisplayed() || !found.get(0).isEnabled()) {
                return false;
            }
            found.get(0).click();
            return true;
        });
    }

    /** Accepts the confirm() dialog the last click opened and returns its text. */
    public String acceptDialog() {
        String[] text = new String[1];
        await("a confirm dialog", () -> {
            try {
                var alert = driver.switchTo().alert();
                text[0] = alert.getText();
                alert.accept();
                return true;
            } catch (NoAlertPresentException e) {
                return false;
            }
        });
        return text[0];
    }

    public boolean dialogOpen() {
        try {
            driver.switchTo().alert();
            return true;
        } catch (NoAlertPresentException e) {
            return false;
        }
    }

    /**
     * The page's console errors since the last call: script errors and Content-Security-Policy refusals. Chromium
     * also logs every non-2xx answer of a fetch as an error; those are the API's answers, which tests check on the
     * page, so they are left out.
     */
    public List<String> consoleErrors() {
        return driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue())
                .map(org.openqa.selenium.logging.LogEntry::getMessage)
                .filter(m -> !m.contains("Failed to load resource: the server responded with a status of"))
                .toList();
    }

    public String bodyText() {
        try {
            return driver.findElement(By.tagName("body")).getText();
        } catch (RuntimeException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** Saves a PNG of the window to target/screenshots/{@code name}.png for a person to look at. */
    public Path screenshot(String name) {
        File png = driver.getScreenshotAs(OutputType.FILE);
        try {
            Path target = Path.of("target", "screenshots");
            Files.createDirectories(target);
            Path file = target.resolve(name + ".png");
            Files.copy(png.toPath(), file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.deleteIfExists(png.toPath());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
            TempDirs.delete(profile);
        }
    }
}
