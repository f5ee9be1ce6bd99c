package io.nomadcamel.jobs.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The console's files: only plain names of known types are served, and the page's files all exist. */
class ConsoleAssetsTest {

    private final ConsoleAssets assets = new ConsoleAssets();

    @Test
    void servesTheConsoleFilesWithTheirContentTypes() {
        assertEquals("text/html; charset=utf-8", assets.find("index.html").orElseThrow().contentType());
        assertEquals("text/javascript; charset=utf-8", assets.find("app.js").orElseThrow().contentType());
        assertEquals("text/css; charset=utf-8", assets.find("app.css").orElseThrow().contentType());
    }

    @Test
    void refusesAnythingButAPlainFileNameInsideTheConsoleFolder() {
        for (String name : new String[] {"../version.properties", "..", "../web/index.html", "web/index.html",
                "/index.html", ".hidden.js", "index.html/", "%2e%2e%2fversion.properties", "index.html\u0000.js",
                "log4j2.xml", "missing.js", "", "index", "index.html ", "..\\version.properties"}) {
            assertTrue(assets.find(name).isEmpty(), name);
        }
        assertTrue(assets.find(null).isEmpty());
        // a file that exists on the classpath root is not reachable, even with a type the console serves
        assertTrue(new ConsoleAssets("web").find("log-event.json").isEmpty());
        assertTrue(new ConsoleAssets("").find("version.properties").isEmpty(), "unknown type");
    }

    @Test
    void everyFileThePageLoadsExists() {
        String page = new String(assets.find("index.html").orElseThrow().bytes(), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("(?:src|href)=\"/static/([^\"]+)\"").matcher(page);
        List<String> files = new ArrayList<>();
        while (m.find()) {
            files.add(m.group(1));
        }
        assertTrue(files.size() >= 6, files.toString());
        for (String file : files) {
            assertTrue(assets.find(file).isPresent(), file);
        }
        assertFalse(page.contains("<script>"), "no inline script: the Content-Security-Policy forbids it");
    }

    @Test
    void scriptsBuildThePageWithoutParsingDataAsMarkup() {
        for (String file : new String[] {"dom.js", "api.js", "panels.js", "views.js", "app.js"}) {
            String js = new String(assets.find(file).orElseThrow().bytes(), StandardCharsets.UTF_8);
            for (String risky : new String[] {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
                    "eval(", "new Function", "console.log"}) {
                assertFalse(js.contains(risky), file + " uses " + risky);
            }
        }
    }
}
