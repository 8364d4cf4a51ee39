"""torchaudio 0.13's models, transforms and functional operators scripted
by ember, compared with eager PyTorch: real TorchScript programs with
Union refinements, None attributes tested in `if`, `for` targets read after
the loop, globals holding torch.ops operators, `torch.istft(input=...)`,
RNN-T beam search over lists of hypotheses and streaming state."""
import pytest
import torch

import ember

torchaudio = pytest.importorskip("torchaudio")
import torchaudio.functional as F  # noqa: E402
import torchaudio.models as M  # noqa: E402
import torchaudio.transforms as T  # noqa: E402


def _same(want, got):
    if isinstance(want, torch.Tensor):
        assert isinstance(got, torch.Tensor) and got.shape == want.shape and got.dtype == want.dtype
        if want.is_floating_point() or want.is_complex():
            assert torch.allclose(got, want, rtol=1e-4, atol=1e-5, equal_nan=True)
        else:
            assert torch.equal(got, want)
    elif isinstance(want, (list, tuple)):
        assert len(got) == len(want)
        for w, g in zip(want, got):
            _same(w, g)
    else:
        assert got == want


def _wave(*shape):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(0))


def _cspec():
    return torch.randn(1, 201, 30, dtype=torch.cfloat, generator=torch.Generator().manual_seed(1))


def _psd(n=4):
    g = torch.Generator().manual_seed(2)
    return torch.randn(201, n, n, dtype=torch.cfloat, generator=g) + n * torch.eye(n)


TRANSFORMS = {
    "Spectrogram": (lambda: T.Spectrogram(), lambda: (_wave(1, 4000),)),
    "Spectrogram_complex": (lambda: T.Spectrogram(power=None), lambda: (_wave(1, 4000),)),
    "InverseSpectrogram": (lambda: T.InverseSpectrogram(), lambda: (_cspec(),)),
    "MelSpectrogram": (lambda: T.MelSpectrogram(), lambda: (_wave(1, 4000),)),
    "MFCC": (lambda: T.MFCC(), lambda: (_wave(1, 4000),)),
    "LFCC": (lambda: T.LFCC(), lambda: (_wave(1, 4000),)),
    "GriffinLim": (lambda: T.GriffinLim(n_iter=4), lambda: (torch.rand(1, 201, 20),)),
    "Resample": (lambda: T.Resample(16000, 8000), lambda: (_wave(1, 4000),)),
    "TimeStretch": (lambda: T.TimeStretch(n_freq=201), lambda: (_cspec(), 1.2)),
    "SlidingWindowCmn": (lambda: T.SlidingWindowCmn(), lambda: (_wave(100, 40),)),
    "Vad": (lambda: T.Vad(16000), lambda: (_wave(1, 16000),)),
    "Loudness": (lambda: T.Loudness(16000), lambda: (_wave(1, 16000),)),
    "SoudenMVDR": (lambda: T.SoudenMVDR(), lambda: (_cspec().expand(4, 201, 30), _psd(), _psd(), 0)),
    "RTFMVDR": (lambda: T.RTFMVDR(),
                lambda: (_cspec().expand(4, 201, 30), _psd()[..., 0], _psd(), 0)),
}


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_transforms(name):
    make, args = TRANSFORMS[name]
    module, inputs = make(), args()
    scripted = ember.script(module)
    torch.manual_seed(0)  # GriffinLim starts from a random phase
    want = module(*inputs)
    torch.manual_seed(0)
    _same(want, scripted(*inputs))


FUNCTIONS = {
    "phase_vocoder": (F.phase_vocoder,
                      lambda: (_cspec(), 1.3, torch.linspace(0, 314.0, 201)[..., None])),
    "detect_pitch_frequency": (F.detect_pitch_frequency, lambda: (_wave(1, 4000), 16000)),
    "lfilter": (F.lfilter, lambda: (_wave(1, 400), torch.tensor([1.0, 0.1]), torch.tensor([0.5, 0.2]))),
    "filtfilt": (F.filtfilt, lambda: (_wave(1, 400), torch.tensor([1.0, 0.1]), torch.tensor([0.5, 0.2]))),
    "equalizer_biquad": (F.equalizer_biquad, lambda: (_wave(1, 400), 16000, 1000.0, 3.0)),
    "flanger": (F.flanger, lambda: (_wave(1, 400), 16000)),
    "phaser": (F.phaser, lambda: (_wave(1, 400), 16000)),
    "griffinlim": (F.griffinlim, lambda: (torch.rand(1, 201, 20), torch.hann_window(400), 400, 200,
                                          400, 2.0, 3, 0.99, None, True)),
    "apply_beamforming": (F.apply_beamforming, lambda: (_psd()[..., 0], _cspec().expand(4, 201, 30))),
}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_functional(name):
    fn, args = FUNCTIONS[name]
    inputs = args()
    scripted = ember.script(fn)
    torch.manual_seed(0)
    want = fn(*inputs)
    torch.manual_seed(0)
    _same(want, scripted(*inputs))


# Test that an @unused function scripts as torch.jit scripts it: parameters
# Any, a body that raises.
def test_unused_function_scripts_as_a_raise():
    scripted = ember.script(F.edit_distance)
    assert scripted.schema == "edit_distance(Any seq1, Any seq2) -> int"
    with pytest.raises(RuntimeError, match="Cannot call @unused methods"):
        scripted([1], [2])


def _tiny_rnnt():
    torch.manual_seed(0)
    return M.emformer_rnnt_model(
        input_dim=16, encoding_dim=32, num_symbols=20, segment_length=4, right_context_length=2,
        time_reduction_input_dim=32, time_reduction_stride=2, transformer_num_heads=2,
        transformer_ffn_dim=32, transformer_num_layers=2, transformer_dropout=0.0,
        transformer_activation="gelu", transformer_left_context_length=8,
        transformer_max_memory_size=0, transformer_weight_init_scale_strategy="depthwise",
        transformer_tanh_on_mem=True, symbol_embedding_dim=16, num_lstm_layers=1,
        lstm_layer_norm=True, lstm_layer_norm_epsilon=1e-3, lstm_dropout=0.0).eval()


MODELS = {
    "Wav2Letter": (lambda: M.Wav2Letter(), lambda: (_wave(2, 1, 2000),)),
    "ConvTasNet": (lambda: M.ConvTasNet(num_sources=2, enc_num_feats=32, msk_num_feats=16,
                                        msk_num_hidden_feats=32, msk_num_layers=2, msk_num_stacks=2),
                   lambda: (_wave(1, 1, 800),)),
    "WaveRNN": (lambda: M.WaveRNN([5, 5, 8], 10, 200, n_res_block=2, n_rnn=32, n_fc=32,
                                  n_freq=16, n_hidden=16, n_output=16),
                lambda: (_wave(1, 1, 1200), _wave(1, 1, 16, 10))),
    "Conformer": (lambda: M.Conformer(80, 4, 128, 2, 31).eval(),
                  lambda: (_wave(2, 40, 80), torch.tensor([40, 30]))),
    "Emformer": (lambda: M.Emformer(64, 4, 128, 2, 16, right_context_length=4).eval(),
                 lambda: (_wave(2, 20, 64), torch.tensor([20, 16]))),
    "wav2vec2": (lambda: M.wav2vec2_model("group_norm", [(32, 10, 5), (32, 3, 2), (32, 2, 2)], False,
                                          64, 0.0, 16, 4, 2, 4, 0.0, 128, 0.0, 0.0, False, 0.0, 10).eval(),
                 lambda: (_wave(2, 2000), torch.tensor([2000, 1500]))),
    "Tacotron2": (lambda: M.Tacotron2(n_symbol=20).eval(),
                  lambda: (torch.randint(0, 20, (2, 10)), torch.tensor([10, 8]), _wave(2, 80, 30),
                           torch.tensor([30, 25]))),
    "RNNT": (_tiny_rnnt, lambda: (_wave(2, 16, 16), torch.tensor([16, 12]),
                                  torch.randint(0, 20, (2, 5)), torch.tensor([5, 4]))),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_models(name):
    make, args = MODELS[name]
    torch.manual_seed(0)
    model, inputs = make(), args()
    scripted = ember.script(model)
    with torch.no_grad():
        torch.manual_seed(0)  # Tacotron2's prenet drops out even in eval
        want = model(*inputs)
        torch.manual_seed(0)
        _same(want, scripted(*inputs))


# Test the exported streaming methods: Emformer's infer with its state, and
# RNN-T's transcribe_streaming, predict and join, called twice so that the
# state returned by the first call is taken by the second.
def test_streaming_methods():
    torch.manual_seed(0)
    emformer = M.Emformer(64, 4, 128, 2, 16, right_context_length=4).eval()
    scripted = ember.script(emformer)
    chunk, lengths = _wave(1, 20, 64), torch.tensor([20])
    want_state, got_state = None, None
    for _ in range(2):
        want, _, want_state = emformer.infer(chunk, lengths, want_state)
        got, _, got_state = scripted.infer(chunk, lengths, got_state)
        _same(want, got)
        _same(want_state, got_state)
    rnnt = _tiny_rnnt()
    scripted = ember.script(rnnt)
    features, lengths = _wave(1, 6, 16), torch.tensor([6])
    want_state, got_state = None, None
    for _ in range(2):
        want = rnnt.transcribe_streaming(features, lengths, want_state)
        got = scripted.transcribe_streaming(features, lengths, got_state)
        _same(want, got)
        want_state, got_state = want[2], got[2]
    tokens = torch.tensor([[3, 4]])
    _same(rnnt.predict(tokens, torch.tensor([2]), None), scripted.predict(tokens, torch.tensor([2]), None))


# Test RNN-T beam search, a TorchScript program over lists of hypothesis
# tuples, dicts and sorting, against eager.
def test_rnnt_beam_search():
    model = _tiny_rnnt()
    search = M.RNNTBeamSearch(model, blank=19)
    features, lengths = _wave(1, 12, 16), torch.tensor([12])
    with torch.no_grad():
        want = search(features, lengths, 3)
        got = ember.script(search)(features, lengths, 3)
    assert [h[0] for h in got] == [h[0] for h in want]
    assert [h[3] for h in got] == pytest.approx([h[3] for h in want], rel=1e-4)


# Test that a module with @export methods traces as torch.jit traces it:
# forward recorded (its submodules' ops in its own graph, node for node
# torch.jit's), the exported `infer` scripted, compiling the forward of a
# submodule only it calls (AvgPool1d) from its source.
def test_trace_with_exported_methods():
    torch.manual_seed(0)
    emformer = M.Emformer(64, 4, 128, 2, 16, right_context_length=4).eval()
    x, lengths = _wave(2, 20, 64), torch.tensor([20, 16])
    with torch.no_grad():
        ours = ember.trace(emformer, (x, lengths), check_trace=False)
        theirs = torch.jit.trace(emformer, (x, lengths), check_trace=False)
        _same(theirs(x, lengths), ours(x, lengths))
        assert [n.kind() for n in ours.graph.nodes()] == [n.kind() for n in theirs.graph.nodes()]
        want, got = theirs.infer(x[:1], lengths[:1], None), ours.infer(x[:1], lengths[:1], None)
        _same(want, got)
