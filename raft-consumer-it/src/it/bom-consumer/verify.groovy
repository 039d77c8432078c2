// Runs after the consumer built. Checks what a user of the published artifacts gets.
import javax.xml.parsers.DocumentBuilderFactory

def children(node, name) {
    node.childNodes.findAll { it.nodeType == 1 && it.nodeName == name }
}

def child(node, name) {
    def found = children(node, name)
    found ? found[0] : null
}

def managedArtifactIds(File pom) {
    def project = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom).documentElement
    def management = child(project, 'dependencyManagement')
    def dependencies = management ? children(child(management, 'dependencies'), 'dependency') : []
    dependencies.collect { [child(it, 'groupId').textContent, child(it, 'artifactId').textContent] }
}

def repository = localRepositoryPath
def bomFile = new File(repository, "io/raftlog/raft-bom/${projectVersion}/raft-bom-${projectVersion}.pom")
def parentFile = new File(repository, "io/raftlog/raftlog-parent/${projectVersion}/raftlog-parent-${projectVersion}.pom")
assert bomFile.isFile(): "raft-bom ${projectVersion} was not installed: is raft-bom/pom.xml's version the parent's?"

def bomProject = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(bomFile).documentElement
assert child(bomProject, 'parent') == null: 'raft-bom must have no <parent>: it would pass the parent\'s dependencyManagement on'

// The BOM manages io.raftlog artifacts and nothing else, and the same ones as the parent.
def managed = managedArtifactIds(bomFile)
def foreign = managed.findAll { it[0] != 'io.raftlog' }
assert foreign.isEmpty(): "raft-bom manages third-party artifacts: ${foreign}"
def published = managedArtifactIds(parentFile).findAll { it[0] == 'io.raftlog' }.collect { it[1] } as Set
def inBom = managed.collect { it[1] } as Set
assert inBom == published: "raft-bom lists ${inBom.sort()}, the parent's dependencyManagement ${published.sort()}"

// Every published library has its sources and Javadoc jars (unless this build skipped them).
def classifiers = []
if (sourcesSkipped != 'true') classifiers << 'sources'
if (javadocSkipped != 'true') classifiers << 'javadoc'
def missing = inBom.collectMany { id ->
    classifiers.collect { new File(rootDirectory, "${id}/target/${id}-${projectVersion}-${it}.jar") }
}.findAll { !it.isFile() }
assert missing.isEmpty(): "missing jars: ${missing}"
return true
