"""torchvision's models and operators scripted by ember, compared with eager
PyTorch: classification, detection and segmentation models (whose code uses
per-parameter type comments, OrderedDict, `tolist`, `max` on tensors, script
class attributes and torchvision's own dispatcher operators)."""
import warnings

import pytest
import torch

import ember

torchvision = pytest.importorskip("torchvision")
from torchvision.models import detection, segmentation  # noqa: E402


@pytest.mark.parametrize("name", ["resnet18", "mobilenet_v3_small", "densenet121", "shufflenet_v2_x0_5",
                                  "efficientnet_b0", "vit_b_16"])
def test_classification_models(name):
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)().eval()
    scripted = ember.script(model)
    x = torch.randn(1, 3, 224, 224)
    with torch.no_grad():
        assert torch.allclose(scripted(x), model(x), atol=1e-4)


def _small(builder, **kwargs):
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return builder(weights=None, weights_backbone=None, **kwargs).eval()


DETECTION = {
    "fasterrcnn": lambda: _small(detection.fasterrcnn_resnet50_fpn, min_size=160, max_size=200),
    "maskrcnn": lambda: _small(detection.maskrcnn_resnet50_fpn, min_size=160, max_size=200),
    "retinanet": lambda: _small(detection.retinanet_resnet50_fpn, min_size=160, max_size=200),
    "ssdlite": lambda: _small(detection.ssdlite320_mobilenet_v3_large),
}


@pytest.mark.parametrize("name", sorted(DETECTION))
def test_detection_models(name):
    model = DETECTION[name]()
    scripted = ember.script(model)
    images = [torch.rand(3, 150, 190), torch.rand(3, 170, 140)]
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = model(images)
        losses, detections = scripted(images)  # scripted, it returns both, as torch.jit's does
    assert losses == {}
    assert len(detections) == len(expected)
    for got, want in zip(detections, expected):
        assert sorted(got) == sorted(want)
        for key in want:
            assert got[key].shape == want[key].shape, key
            assert torch.allclose(got[key].float(), want[key].float(), atol=1e-4), key


def test_segmentation_model():
    model = _small(segmentation.deeplabv3_mobilenet_v3_large)
    scripted = ember.script(model)
    x = torch.randn(1, 3, 96, 96)
    with torch.no_grad():
        got, want = scripted(x), model(x)
    assert sorted(got) == sorted(want)
    for key in want:
        assert torch.allclose(got[key], want[key], atol=1e-4), key


def test_library_operators_are_called_through_torch_ops():
    # torchvision registers torchvision::nms with the dispatcher after ember
    # has loaded; scripts reach it as TorchScript does, printed `ops.`.
    def nms(boxes: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
        return torch.ops.torchvision.nms(boxes, scores, 0.5)

    boxes = torch.rand(12, 4)
    boxes[:, 2:] += boxes[:, :2]
    scores = torch.rand(12)
    scripted = ember.script(nms)
    assert torch.equal(scripted(boxes, scores), torchvision.ops.nms(boxes, scores, 0.5))
    assert "ops.torchvision.nms(boxes, scores, 0.5)" in scripted.code


@pytest.mark.parametrize("name", ["ssdlite", "fasterrcnn"])
def test_detection_archives_both_ways(name, tmp_path):
    model = DETECTION[name]()
    images = [torch.rand(3, 150, 190)]
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = model(images)
        ember.save(ember.script(model), str(tmp_path / "ember.pt"))
        torch.jit.save(torch.jit.script(model), str(tmp_path / "torch.pt"))
        by_torch = torch.jit.load(str(tmp_path / "ember.pt"))(images)[1]
        by_ember = ember.load(str(tmp_path / "torch.pt"))(images)[1]
    for got in (by_torch, by_ember):
        for key in expected[0]:
            assert torch.allclose(got[0][key].float(), expected[0][key].float(), atol=1e-4), key


@pytest.mark.parametrize("name", ["center_crop", "five_crop", "convert_dtype", "normalize", "affine"])
def test_transforms(name):
    """Transforms compared with eager; ColorJitter's code with torch.jit's
    (variables only refined in its loop come after the assigned ones)."""
    import torchvision.transforms as T
    transform = {"center_crop": T.CenterCrop(20), "five_crop": T.FiveCrop(16),
                 "convert_dtype": T.ConvertImageDtype(torch.uint8),
                 "normalize": T.Normalize([0.5] * 3, [0.2] * 3),
                 # calls F.affine(img, *ret, ...) and tests isinstance with nested tuples
                 "affine": T.RandomAffine((10, 10))}[name]
    img = torch.rand(3, 40, 36)
    got, want = ember.script(transform)(img), transform(img)
    for g, w in zip(got if isinstance(got, tuple) else [got], want if isinstance(want, tuple) else [want]):
        assert torch.equal(g, w)


def test_broadcasting_list_parameter_takes_a_number():
    # roi_align's output_size is BroadcastingList2[int]: 2 means [2, 2].
    scripted = ember.script(torchvision.ops.roi_align)
    x, boxes = torch.rand(1, 2, 8, 8), [torch.tensor([[0.0, 0.0, 4.0, 4.0]])]
    assert torch.equal(scripted(x, boxes, 2), torchvision.ops.roi_align(x, boxes, 2))


def test_color_jitter_code_matches_torch_jit():
    import torchvision.transforms as T
    jitter = T.ColorJitter(0.2, 0.2, 0.2, 0.1)
    assert ember.script(jitter).code == torch.jit.script(jitter).code
