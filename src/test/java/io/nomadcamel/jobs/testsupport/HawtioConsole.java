package io.nomadcamel.jobs.testsupport;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * Hawtio 4.2.0's pages as an operator uses them in {@link ChromiumBrowser}: a remote connection opened the way the
 * Connect page opens one (a saved connection, {@code ?con=<id>}, Hawtio's own login dialog for the remote Jolokia's
 * credentials), the Camel tree, tabs, the routes table and the JMX Operations view. Every Jolokia request the page
 * sends through Hawtio's proxy is recorded with the answer it got, because Hawtio's toasts do not always tell a
 * refusal from a success.
 */
public final class HawtioConsole {

    /**
     * A change shows on the next refresh of the routes table, which Hawtio 4.2.0 does every 10 s whatever Jolokia's
     * update rate ({@link #connect} sets that to every second).
     */
    public static final Duration REFRESH = Duration.ofSeconds(10);

    /**
     * Wraps fetch() in every page Hawtio loads, before Hawtio's scripts run, to keep each request to its proxy with
     * Jolokia's answer in {@code window.__jolokiaExchanges}.
     */
    private static final String RECORDER = """
            (() => {
              const exchanges = [];
              window.__jolokiaExchanges = exchanges;
              const fetch = window.fetch;
              window.fetch = async function(input, init) {
                const url = typeof input === 'string' ? input : input.url;
                const response = await fetch.apply(this, arguments);
                if (url.includes('/proxy/')) {
                  const exchange = {url, request: init && typeof init.body === 'string' ? init.body : null,
                                    httpStatus: response.status, answer: null};
                  exchanges.push(exchange);
                  response.clone().text().then(text => exchange.answer = text);
                }
                return response;
              };
            })();
            """;

    private final ChromiumBrowser browser;
    private final HawtioServer hawtio;

    private HawtioConsole(ChromiumBrowser browser, HawtioServer hawtio) {
        this.browser = browser;
        this.hawtio = hawtio;
    }

    /** Prepares the browser (call before the first page of Hawtio opens). */
    public static HawtioConsole in(ChromiumBrowser browser, HawtioServer hawtio) {
        browser.driver().executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", RECORDER));
        return new HawtioConsole(browser, hawtio);
    }

    /**
     * Opens Hawtio on the Jolokia at {@code http://127.0.0.1:<port><path>} and logs in to it with the given
     * credentials in Hawtio's login dialog, returning once the Camel tree shows {@code camelContext}.
     */
    public void connect(String name, int port, String path, String user, String password, String camelContext) {
        browser.open(hawtio.url("/"));
        // a fresh tab: Hawtio keeps the current connection and its credentials in sessionStorage
        browser.driver().executeScript("sessionStorage.clear()");
        // what Hawtio's Connect page saves for a remote connection
        browser.driver().executeScript("localStorage.setItem('connect.connections', JSON.stringify({test: {"
                + "id: 'test', name: arguments[0], scheme: 'http', host: '127.0.0.1', port: arguments[1],"
                + " path: arguments[2]}}))", name, port, path);
        // Preferences › Jolokia › Update rate: 1 s instead of 5 s, so tests see a change sooner
        browser.driver().executeScript("localStorage.setItem('connect.jolokia.updateRate', '1000')");
        browser.open(hawtio.url("/?con=test"));
        browser.await("Hawtio's login dialog for " + name, () -> browser.text(".pf-v5-c-modal-box")
                .contains("Log in to " + name));
        browser.driver().findElement(By.id("connect-login-form-username")).sendKeys(user);
        browser.driver().findElement(By.id("connect-login-form-password")).sendKeys(password);
        browser.click(By.xpath("//button[normalize-space()='Log in']"));
        browser.await("the Camel tree of " + name, Duration.ofSeconds(30),
                () -> !browser.driver().findElements(treeNode(camelContext)).isEmpty());
    }

    /** Selects a node of the tree on the left (a Camel context, "routes", a route id, "endpoints"...). */
    public void select(String node) {
        browser.click(treeNode(node));
    }

    /** Opens one of the tabs above the content ("Attributes", "Operations", "Route Diagram"...). */
    public void tab(String name) {
        browser.click(By.xpath("//section[contains(@class,'pf-v5-c-page__main-tabs')]//a[normalize-space()='" + name
                + "']"));
    }

    /** The title of the selected node's page ("Camel Contexts", a route id...). */
    public String heading() {
        return browser.text("#camel-content-header h1");
    }

    /** The cells of a row of the routes table by column ("Name", "State", "Completed"...), empty if not shown. */
    @SuppressWarnings("unchecked")
    public Map<String, String> routeRow(String route) {
        // one script instead of a WebDriver call per cell: the table has ten columns and is re-read until it changes
        return (Map<String, String>) browser.driver().executeScript("""
                const row = [...document.querySelectorAll('#camel-routes-table tr')].find(tr =>
                    [...tr.querySelectorAll("td[data-label='Name']")].some(td => td.textContent.trim() === arguments[0]));
                const cells = {};
                if (row) row.querySelectorAll('td[data-label]').forEach(td =>
                    cells[td.getAttribute('data-label')] = td.textContent.trim());
                return cells;
                """, route);
    }

    /** The value the Attributes tab shows for an attribute of the selected node, "" when it shows none. */
    public String attribute(String name) {
        return (String) browser.driver().executeScript("""
                const row = [...document.querySelectorAll('#camel-content table tr')].find(tr =>
                    tr.cells.length > 1 && tr.cells[0].textContent.trim() === arguments[0]);
                return row ? row.cells[1].textContent.trim() : '';
                """, name);
    }

    /**
     * Hawtio 4.2.0 re-reads the routes table every 10 s (fixed), so a Stop or Start shows up to 10 s late; opening
     * the table again, as an operator clicking another node and back does, reads it at once.
     */
    public void reopenRoutes() {
        select("endpoints");
        browser.await("the endpoints page", () -> "endpoints".equals(heading()));
        select("routes");
    }

    /** Ticks the route's box in the routes table and presses a toolbar button ("Start", "Stop"). */
    public void routeAction(String route, String button) {
        WebElement box = browser.driver().findElement(By.xpath("//table[@id='camel-routes-table']//tr"
                + "[td[@data-label='Name' and normalize-space()='" + route + "']]//input[@type='checkbox']"));
        if (!box.isSelected()) {
            box.click();
        }
        browser.click(By.xpath("//div[@id='camel-routes-toolbar']//button[normalize-space()='" + button + "']"));
    }

    /**
     * In the Operations tab: expands the operation (its signature as Jolokia lists it, e.g.
     * {@code sendBody(java.lang.String,java.lang.Object)}), types the arguments and presses Execute.
     */
    public void execute(String signature, String... arguments) {
        browser.click("li[aria-labelledby='operation " + signature + "'] button[aria-label='Details']");
        String form = "section[id='operation-execute-" + signature + "']";
        browser.await("the form of " + signature, () -> browser.all(form + " input").size() == arguments.length);
        List<WebElement> inputs = browser.all(form + " input");
        for (int i = 0; i < arguments.length; i++) {
            inputs.get(i).clear();
            inputs.get(i).sendKeys(arguments[i]);
        }
        browser.click(By.xpath("//section[@id='operation-execute-" + signature + "']//button[normalize-space()="
                + "'Execute']"));
    }

    /** The Result box Hawtio shows under an executed operation, "" until there is one. */
    public String operationResult(String signature) {
        return browser.text("section[id='operation-result-" + signature + "']");
    }

    /** Scrolls the Result box into the middle of the window, for a screenshot. */
    public void scrollToResult(String signature) {
        browser.driver().executeScript("arguments[0].scrollIntoView({block: 'center'})", browser.driver()
                .findElement(By.cssSelector("section[id='operation-result-" + signature + "']")));
    }

    /** Presses a button in the header of the selected Camel context's page ("Start", "Suspend"). */
    public void contextAction(String button) {
        browser.click(By.xpath("//section[@id='camel-content-header']//button[normalize-space()='" + button + "']"));
    }

    /** Whether Hawtio styles that Result as an error. */
    public boolean operationResultIsError(String signature) {
        return !browser.all("section[id='operation-result-" + signature + "'] .jmx-operation-error").isEmpty();
    }

    /**
     * Jolokia's answer (its JSON text) to the latest request this page sent whose JSON contains {@code fragment},
     * once it arrived. Requests of earlier pages are not kept: look before navigating away with a full load.
     */
    @SuppressWarnings("unchecked")
    public Optional<String> answerTo(String fragment) {
        List<Map<String, Object>> exchanges = (List<Map<String, Object>>) browser.driver()
                .executeScript("return window.__jolokiaExchanges || []");
        for (int i = exchanges.size() - 1; i >= 0; i--) {
            Object request = exchanges.get(i).get("request");
            Object answer = exchanges.get(i).get("answer");
            if (request != null && request.toString().contains(fragment)) {
                return Optional.ofNullable(answer).map(Object::toString);
            }
        }
        return Optional.empty();
    }

    /** The requests (JSON as sent) this page sent to Jolokia so far, for a failure message or the README. */
    @SuppressWarnings("unchecked")
    public List<String> requests() {
        return ((List<Map<String, Object>>) browser.driver().executeScript("return window.__jolokiaExchanges || []"))
                .stream().map(e -> String.valueOf(e.get("request"))).toList();
    }

    private static By treeNode(String text) {
        return By.xpath("//button[contains(@class,'pf-v5-c-tree-view__node-text') and normalize-space()='" + text
                + "']");
    }
}
